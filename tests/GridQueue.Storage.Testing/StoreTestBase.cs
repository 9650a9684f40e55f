using System.Data.Common;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using Xunit;

namespace GridQueue.Storage.Testing;

/// <summary>
/// What each backend supplies to the shared suites: a fresh, migrated, isolated database per test, and a connection
/// of the application's own on it (for inserts inside the caller's transaction).
/// </summary>
public interface ITestDatabase
{
    /// <summary>Makes the database and returns a migrated store on it. Called once per test.</summary>
    Task<IJobStore> CreateStoreAsync();

    /// <summary>Another store instance on the same database: a second node.</summary>
    IJobStore OpenSecondStore();

    /// <summary>An application connection to the same database, ready for BeginTransaction.</summary>
    Task<DbConnection> OpenAppConnectionAsync();

    /// <summary>Removes the database.</summary>
    Task DeleteAsync();
}

/// <summary>Gives each test its own database from the backend's <see cref="ITestDatabase"/>.</summary>
public abstract class StoreTestBase(ITestDatabase database) : IAsyncLifetime
{
    /// <summary>A fixed "now" for store-level tests; every time the store compares comes from the test.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private IJobStore? _store;

    protected IJobStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    protected IJobStore OpenSecondStore() => database.OpenSecondStore();

    protected Task<DbConnection> OpenAppConnectionAsync() => database.OpenAppConnectionAsync();

    public async Task InitializeAsync() => _store = await database.CreateStoreAsync();

    public async Task DisposeAsync()
    {
        await BeforeDeleteAsync();
        await database.DeleteAsync();
    }

    /// <summary>Runs before the database is deleted (engines stop here).</summary>
    protected virtual Task BeforeDeleteAsync() => Task.CompletedTask;

    protected static JobInsertRow Row(
        string kind = "test",
        string queue = "default",
        int priority = 5,
        DateTimeOffset? scheduledAt = null,
        int maxAttempts = 3,
        string? uniqueKey = null,
        string? fairnessKey = null,
        string args = "{}",
        DateTimeOffset? now = null)
    {
        var created = now ?? T0;
        var at = scheduledAt ?? created;
        return new JobInsertRow(kind, queue, args, priority, at > created ? JobState.Scheduled : JobState.Available,
            maxAttempts, at, created, uniqueKey, fairnessKey);
    }

    protected async Task<Job> InsertAsync(JobInsertRow row) =>
        (await Store.JobInsertManyAsync([row], null, CancellationToken.None))[0].Job;

    protected Task<IReadOnlyList<Job>> ClaimAsync(
        int limit,
        DateTimeOffset? now = null,
        string node = "node-a",
        int? keyLimit = null,
        IReadOnlyList<QueueLimit>? queues = null,
        TimeSpan? lease = null,
        IJobStore? store = null)
    {
        var at = now ?? T0;
        return (store ?? Store).JobClaimAsync(
            new JobClaimRequest(node, limit, at, at + (lease ?? TimeSpan.FromSeconds(30)), queues ?? [new QueueLimit("default", null)], keyLimit),
            CancellationToken.None);
    }

    protected async Task<JobFinalizeResult> FinalizeAsync(
        Job claimed, JobState state, DateTimeOffset? now = null, DateTimeOffset? scheduledAt = null,
        IReadOnlyList<JobError>? errors = null, bool giveBack = false, string? node = null) =>
        (await Store.JobFinalizeManyAsync(
            [new JobFinalization(claimed.Id, node ?? claimed.LeaseOwner!, claimed.Claims, state, now ?? T0, scheduledAt, errors, giveBack)],
            CancellationToken.None))[0];

    protected async Task<Job> GetAsync(long id) =>
        await Store.JobGetAsync(id, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"Job {id} is missing.");
}
