using GridQueue.Engine.Storage;
using GridQueue.Storage.Sqlite.Admin;
using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Storage.Testing.Admin;
using GridQueue.Tasks.Admin;
using GridQueue.Tasks.Storage;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>The shared admin store contract on a real SQLite file.</summary>
public sealed class SqliteAdminStoreContractTests() : AdminStoreContractTests(new SqliteAdminTestDatabase());

/// <summary>The job, task and admin stores on one fresh SQLite file.</summary>
public sealed class SqliteAdminTestDatabase : IAdminTestDatabase
{
    private readonly SqliteTestDatabase _database = new();
    private SqliteTaskStore? _tasks;
    private SqliteAdminStore? _admin;

    public async Task<(IJobStore Jobs, ITaskStore Tasks, SqlAdminStore Admin)> CreateAsync()
    {
        var jobs = _database.OpenStore();
        await jobs.MigrateAsync(CancellationToken.None);
        _tasks = new SqliteTaskStore(jobs);
        _admin = new SqliteAdminStore(jobs);
        return (jobs, _tasks, _admin);
    }

    public async Task DeleteAsync()
    {
        _admin?.Dispose();
        _tasks?.Dispose();
        await _database.DeleteAsync();
    }
}
