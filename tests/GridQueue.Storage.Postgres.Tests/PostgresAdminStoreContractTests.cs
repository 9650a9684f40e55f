using GridQueue.Engine.Storage;
using GridQueue.Storage.Postgres.Admin;
using GridQueue.Storage.Postgres.Tasks;
using GridQueue.Storage.Testing.Admin;
using GridQueue.Tasks.Admin;
using GridQueue.Tasks.Storage;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>The shared admin store contract on a real PostgreSQL database.</summary>
public sealed class PostgresAdminStoreContractTests() : AdminStoreContractTests(new PostgresAdminTestDatabase());

/// <summary>The job, task and admin stores on one fresh database of the test server; deleting drops it.</summary>
public sealed class PostgresAdminTestDatabase : IAdminTestDatabase
{
    private readonly PostgresTestDatabase _database = new();

    public async Task<(IJobStore Jobs, ITaskStore Tasks, SqlAdminStore Admin)> CreateAsync()
    {
        await _database.CreateAsync();
        var jobs = _database.OpenStore();
        await jobs.MigrateAsync(CancellationToken.None);
        return (jobs, new PostgresTaskStore(jobs), new PostgresAdminStore(jobs));
    }

    public Task DeleteAsync() => _database.DeleteAsync();
}
