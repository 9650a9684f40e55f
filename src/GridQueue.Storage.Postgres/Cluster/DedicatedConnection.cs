using Npgsql;

namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>
/// Connection strings for the long-lived connections a node holds outside the store's pool: the listener's and the
/// leader's. They are not pooled, so closing one really ends its session (and with it the LISTENs and the advisory
/// lock held on it), and they send keep-alives, so a peer that vanished is noticed while the connection idles.
/// </summary>
internal static class DedicatedConnection
{
    private const int KeepAliveSeconds = 10;

    public static string For(string connectionString, string purpose) =>
        new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = KeepAliveSeconds,
            ApplicationName = $"gridqueue-{purpose}",
        }.ConnectionString;
}
