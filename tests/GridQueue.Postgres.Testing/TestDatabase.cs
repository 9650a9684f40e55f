using Npgsql;

namespace GridQueue.Postgres.Testing;

/// <summary>One test's own database on the shared server; disposing it drops the database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;
    private int _dropped;

    internal TestDatabase(string name, string connectionString, string adminConnectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        _adminConnectionString = adminConnectionString;
    }

    /// <summary>The database's name, gq_ and a guid.</summary>
    public string Name { get; }

    /// <summary>A connection string to this database, as the server's test user.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Drops the database even when connections remain (WITH FORCE ends them), after clearing this process's pooled
    /// connections to it, so no later test meets a pooled connection the server has closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _dropped, 1) == 1)
        {
            return;
        }

        using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
    }

    internal static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        // Outside the pool: the maintenance connection is used once per database, and a pooled one would count
        // against the server's connection limit for the whole run.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
