using GridQueue.Bench.Shared;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Postgres;

namespace GridQueue.Bench;

/// <summary>A job store on a new database on the server named by --conn, dropped at the end.</summary>
internal sealed class PostgresBenchStore : BenchStore
{
    private readonly PostgresScratchDatabase _database;
    private readonly PostgresJobStore _store;

    private PostgresBenchStore(PostgresScratchDatabase database)
    {
        _database = database;
        _store = new PostgresJobStore(new PostgresStorageOptions { ConnectionString = database.ConnectionString });
    }

    public override IJobStore Store => _store;

    public static PostgresBenchStore Create(string connectionString) => new(PostgresScratchDatabase.Create(connectionString));

    public override string Describe() => $"store: postgres, {_database.Describe()}";

    public override ValueTask DisposeAsync()
    {
        _store.Dispose();
        _database.Drop();
        return ValueTask.CompletedTask;
    }
}
