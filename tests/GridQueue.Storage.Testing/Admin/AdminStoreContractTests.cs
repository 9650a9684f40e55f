using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Testing.Tasks;
using GridQueue.Tasks.Admin;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Xunit;

namespace GridQueue.Storage.Testing.Admin;

/// <summary>What each backend supplies to <see cref="AdminStoreContractTests"/>: the three stores on one fresh migrated database.</summary>
public interface IAdminTestDatabase
{
    Task<(IJobStore Jobs, ITaskStore Tasks, SqlAdminStore Admin)> CreateAsync();

    Task DeleteAsync();
}

/// <summary>The admin console's store operations, run on every backend.</summary>
public abstract class AdminStoreContractTests(IAdminTestDatabase database) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private IJobStore _jobs = null!;
    private ITaskStore _tasks = null!;
    private SqlAdminStore _admin = null!;

    public async Task InitializeAsync() => (_jobs, _tasks, _admin) = await database.CreateAsync();

    public Task DisposeAsync() => database.DeleteAsync();

    [Fact]
    public async Task JobCountByQueueAndState_CountsEachPair()
    {
        var finished = await InsertAsync("default", 2);
        await InsertAsync("default", 3);
        await InsertAsync("webhooks", 1);
        await FinishAsync(finished, JobState.Discarded, T0);

        var counts = await _admin.JobCountByQueueAndStateAsync(CancellationToken.None);

        Assert.Equal(
            [new JobStateCount("default", JobState.Available, 3), new JobStateCount("default", JobState.Discarded, 2), new JobStateCount("webhooks", JobState.Available, 1)],
            counts.OrderBy(c => c.Queue, StringComparer.Ordinal).ThenBy(c => c.State));
    }

    [Fact]
    public async Task JobCountFinishedSince_BucketsCompletedAndDiscarded_IgnoresOlder()
    {
        var a = await InsertAsync("default", 6);
        await FinishAsync(a[..1], JobState.Completed, T0.AddSeconds(-1)); // before the window
        await FinishAsync(a[1..3], JobState.Completed, T0.AddSeconds(5));
        await FinishAsync(a[3..4], JobState.Discarded, T0.AddSeconds(9));
        await FinishAsync(a[4..6], JobState.Completed, T0.AddSeconds(25));

        var buckets = await _admin.JobCountFinishedSinceAsync(T0, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal([new JobFinishCount(T0, 2, 1), new JobFinishCount(T0.AddSeconds(20), 2, 0)], buckets);
    }

    [Fact]
    public async Task JobDeleteDiscarded_DeletesOnlyDeadLetters()
    {
        var ids = await InsertAsync("default", 3);
        await FinishAsync(ids[..2], JobState.Discarded, T0);

        var deleted = await _admin.JobDeleteDiscardedAsync([ids[0], ids[2], 999_999], CancellationToken.None);

        Assert.Equal([ids[0]], deleted);
        Assert.Null(await _jobs.JobGetAsync(ids[0], CancellationToken.None));
        Assert.Equal(JobState.Discarded, (await _jobs.JobGetAsync(ids[1], CancellationToken.None))!.State);
        Assert.Equal(JobState.Available, (await _jobs.JobGetAsync(ids[2], CancellationToken.None))!.State);
        Assert.Empty(await _admin.JobDeleteDiscardedAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task TaskListAll_FiltersByStatusUserAndProvider_NewestFirst_Pages()
    {
        var tasks = new[]
        {
            Task(1, "alice", "simulator", VideoTaskStatus.Queued),
            Task(2, "bob", "simulator", VideoTaskStatus.Failed),
            Task(3, "alice", "t8star", VideoTaskStatus.Failed),
            Task(4, "carol", "simulator", VideoTaskStatus.Running),
        };
        foreach (var task in tasks)
        {
            await InsertAsync(task);
        }

        async Task<string[]> Ids(TaskAdminQuery q) => [.. (await _admin.TaskListAllAsync(q, CancellationToken.None)).Select(t => t.Id)];

        Assert.Equal([tasks[3].Id, tasks[2].Id, tasks[1].Id, tasks[0].Id], await Ids(new(null, null, null, null, 10)));
        Assert.Equal([tasks[2].Id, tasks[1].Id], await Ids(new(VideoTaskStatus.Failed, null, null, null, 10)));
        Assert.Equal([tasks[2].Id], await Ids(new(VideoTaskStatus.Failed, "alice", null, null, 10)));
        Assert.Equal([tasks[3].Id, tasks[1].Id, tasks[0].Id], await Ids(new(null, null, "simulator", null, 10)));
        Assert.Equal([tasks[1].Id, tasks[0].Id], await Ids(new(null, null, null, tasks[2].Id, 10)));
        Assert.Equal([tasks[3].Id], await Ids(new(null, null, null, null, 1)));
        var read = (await _admin.TaskListAllAsync(new(null, "carol", null, null, 10), CancellationToken.None)).Single();
        Assert.Equal(("carol", VideoTaskStatus.Running, "kite 4"), (read.UserId, read.Status, read.Prompt));
        Assert.True(read.ImagesLoaded); // so the task serializes as clients see it
        TaskJson.Serialize(read);
    }

    [Fact]
    public async Task TaskUsageByUser_CountsTasksRunningAndFailed_BusiestFirst()
    {
        await InsertAsync(Task(1, "alice", "simulator", VideoTaskStatus.Running));
        await InsertAsync(Task(2, "alice", "simulator", VideoTaskStatus.Failed));
        await InsertAsync(Task(3, "alice", "simulator", VideoTaskStatus.Succeeded));
        await InsertAsync(Task(4, "bob", "simulator", VideoTaskStatus.Failed));

        var usage = await _admin.TaskUsageByUserAsync(10, CancellationToken.None);

        Assert.Equal([new UserUsage("alice", 3, 1, 1), new UserUsage("bob", 1, 0, 1)], usage);
        Assert.Single(await _admin.TaskUsageByUserAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task Audit_AppendsAndListsNewestFirst_Pages()
    {
        var first = await _admin.AuditAppendAsync(new NewAuditEntry(T0, "root", "redrive", "job:1", "requeued"), CancellationToken.None);
        var second = await _admin.AuditAppendAsync(new NewAuditEntry(T0.AddSeconds(1), "root", "purge", "job:2", "deleted"), CancellationToken.None);

        Assert.True(second.Id > first.Id);
        Assert.Equal([second, first], await _admin.AuditListAsync(null, 10, CancellationToken.None));
        Assert.Equal([first], await _admin.AuditListAsync(second.Id, 10, CancellationToken.None));
        Assert.Equal([second], await _admin.AuditListAsync(null, 1, CancellationToken.None));
    }

    private async Task<long[]> InsertAsync(string queue, int count)
    {
        var rows = Enumerable.Range(0, count)
            .Select(_ => new JobInsertRow("test.kind", queue, "{}", 1, JobState.Available, 1, T0.AddMinutes(-10), T0.AddMinutes(-10), null, null))
            .ToList();
        var results = await _jobs.JobInsertManyAsync(rows, null, CancellationToken.None);
        return [.. results.Select(r => r.Job.Id)];
    }

    /// <summary>Claims the jobs (the oldest available ones) and finishes them at <paramref name="at"/>.</summary>
    private async Task FinishAsync(long[] ids, JobState state, DateTimeOffset at)
    {
        var claimed = await _jobs.JobClaimAsync(
            new JobClaimRequest("node-1", ids.Length, T0.AddMinutes(-5), T0.AddHours(1), [new QueueLimit("default", null), new QueueLimit("webhooks", null)], null),
            CancellationToken.None);
        Assert.Equal(ids, claimed.Select(j => j.Id));
        var errors = state == JobState.Discarded ? new[] { new JobError(1, at, "boom") } : null;
        var results = await _jobs.JobFinalizeManyAsync(
            [.. claimed.Select(j => new JobFinalization(j.Id, "node-1", j.Claims, state, at, null, errors, false))],
            CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Applied));
    }

    private static VideoTask Task(int n, string userId, string provider, VideoTaskStatus status) =>
        TestTasks.New(T0, n, userId, provider, status) with { CompletedAt = status.IsTerminal() ? T0 : null };

    private async Task InsertAsync(VideoTask task)
    {
        await using var scope = await _tasks.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await scope.TaskInsertAsync(task, CancellationToken.None);
        await scope.CommitAsync(CancellationToken.None);
    }
}
