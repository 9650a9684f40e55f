using GridQueue.Postgres.Testing;
using GridQueue.Storage.Postgres.Cluster;
using Npgsql;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>
/// A fresh, migrated database for one cluster test, with the nodes' parts opened on it (stores, listeners,
/// electors); disposing stops them all and drops the database.
/// </summary>
internal sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<PostgresJobStore> _stores = [];

    private ClusterDatabase(TestDatabase database) => _database = database;

    public string ConnectionString => _database.ConnectionString;

    public static async Task<ClusterDatabase> CreateAsync()
    {
        var cluster = new ClusterDatabase(await PostgresTestServer.CreateDatabaseAsync());
        await cluster.OpenStore().MigrateAsync(CancellationToken.None);
        return cluster;
    }

    /// <summary>A store of its own, as each node has.</summary>
    public PostgresJobStore OpenStore()
    {
        var store = new PostgresJobStore(new PostgresStorageOptions { ConnectionString = ConnectionString });
        _stores.Add(store);
        return store;
    }

    /// <summary>A node's task event feed, on a store (and so a listening connection) of its own.</summary>
    public PostgresTaskEventFeed TaskEventFeed() => new(OpenStore());

    public PostgresLeaderElector Elector(TimeSpan retryInterval) =>
        Own(new PostgresLeaderElector(ConnectionString, retryInterval));

    /// <summary>Ends a server process (a node's connection) the way a network cut or an operator would.</summary>
    public async Task TerminateBackendAsync(int processId)
    {
        Assert.NotEqual(0, processId);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        command.Parameters.AddWithValue("pid", processId);
        Assert.True((bool)(await command.ExecuteScalarAsync())!, $"no server process {processId} to end");
    }

    /// <summary>
    /// The server process of the node's listening connection (the only one on this database), or 0. It LISTENs on
    /// every channel the nodes notify, so it is found by the name it connects with.
    /// </summary>
    public async Task<int> ListenerProcessAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'gridqueue-listen'", connection);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids.Count == 1 ? pids[0] : 0;
    }

    /// <summary>Sends a notification from a connection of its own, as another node's commit would.</summary>
    public async Task NotifyAsync(string channel, string payload)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync();
    }

    public T Own<T>(T part)
        where T : IAsyncDisposable
    {
        _owned.Add(part);
        return part;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        foreach (var store in _stores)
        {
            store.Dispose();
        }

        await _database.DisposeAsync();
    }
}
