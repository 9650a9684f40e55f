using Npgsql;

namespace GridQueue.Postgres.Testing;

/// <summary>
/// The PostgreSQL server of this test run, shared by every test in the process: the one named by the environment
/// variable <c>GRIDQUEUE_TEST_POSTGRES</c> (a connection string of a user who may CREATE DATABASE), else a throwaway
/// cluster started on first use and removed when the process exits. Tests never share a database: each asks for its
/// own with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public static class PostgresTestServer
{
    /// <summary>The environment variable naming an existing server to use instead of a throwaway cluster.</summary>
    public const string ConnectionStringVariable = "GRIDQUEUE_TEST_POSTGRES";

    private static readonly Lazy<string> AdminConnection = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A connection string to the server's maintenance database, with the right to create databases.</summary>
    /// <remarks>The first call starts the throwaway cluster (a few seconds); a failure to start says why.</remarks>
    public static string AdminConnectionString => AdminConnection.Value;

    /// <summary>Creates an empty database gq_{guid}; dispose the result to drop it.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var admin = await Task.Run(() => AdminConnectionString, cancellationToken).ConfigureAwait(false);
        var name = $"gq_{Guid.NewGuid():N}";
        await TestDatabase.ExecuteAsync(admin, $"CREATE DATABASE {name}", cancellationToken).ConfigureAwait(false);
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new TestDatabase(name, connectionString, admin);
    }

    private static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        return string.IsNullOrWhiteSpace(configured) ? ThrowawayCluster.Start().ConnectionString : configured;
    }
}
