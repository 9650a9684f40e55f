using GridQueue.Storage.Postgres.Tasks;
using GridQueue.Storage.Testing.Tasks;
using GridQueue.Tasks.Storage;

namespace GridQueue.Storage.Postgres.Tests.Tasks;

/// <summary>The shared task store contract on a real PostgreSQL database; a second node is a second store with its own pool.</summary>
public sealed class PostgresTaskStoreContractTests() : TaskStoreContractTests(new PostgresTaskTestDatabase());

/// <summary>
/// Task stores on one fresh database of the test server, each on a job store of its own (its own connection pool),
/// as two nodes would be. Deleting drops the database.
/// </summary>
public sealed class PostgresTaskTestDatabase : ITaskTestDatabase
{
    private readonly PostgresTestDatabase _database = new();

    public async Task<ITaskStore> CreateTaskStoreAsync()
    {
        await _database.CreateAsync();
        var jobs = _database.OpenStore();
        await jobs.MigrateAsync(CancellationToken.None);
        return new PostgresTaskStore(jobs);
    }

    public ITaskStore OpenSecondTaskStore() => new PostgresTaskStore(_database.OpenStore());

    public Task DeleteAsync() => _database.DeleteAsync();
}
