using System.Collections.Concurrent;
using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Storage.Testing.Tasks;
using GridQueue.Tasks.Storage;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>The shared task store contract on a real SQLite file; a second node is a second store on that file.</summary>
public sealed class SqliteTaskStoreContractTests() : TaskStoreContractTests(new SqliteTaskTestDatabase());

/// <summary>Task stores on one fresh SQLite file, each on its own job store (own connections and write gate).</summary>
public sealed class SqliteTaskTestDatabase : ITaskTestDatabase
{
    private readonly SqliteTestDatabase _database = new();
    private readonly ConcurrentBag<SqliteTaskStore> _stores = [];

    public async Task<ITaskStore> CreateTaskStoreAsync()
    {
        var jobs = _database.OpenStore();
        await jobs.MigrateAsync(CancellationToken.None);
        return Track(new SqliteTaskStore(jobs));
    }

    public ITaskStore OpenSecondTaskStore() => Track(new SqliteTaskStore(_database.OpenStore()));

    public async Task DeleteAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        await _database.DeleteAsync();
    }

    private SqliteTaskStore Track(SqliteTaskStore store)
    {
        _stores.Add(store);
        return store;
    }
}
