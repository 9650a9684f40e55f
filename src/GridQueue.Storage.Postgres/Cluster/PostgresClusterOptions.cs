namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>How the nodes that share one PostgreSQL database elect a leader.</summary>
public sealed class PostgresClusterOptions
{
    public static readonly TimeSpan DefaultLeaderRetryInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often a node that does not lead tries to take the lead, and a leader checks that its connection (which
    /// holds the lead) is still alive. When a leader dies another node leads within about this long.
    /// </summary>
    public TimeSpan LeaderRetryInterval { get; set; } = DefaultLeaderRetryInterval;
}
