using System.Threading.Channels;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Postgres.Tasks;
using GridQueue.Storage.Postgres.Tests.Tasks;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>
/// A task write scope tells the other nodes of its events and of the jobs it inserted after it commits (CommitNotices),
/// not from inside its transaction: the highest sequence on the task-event channel, each queue on the jobs channel,
/// and nothing on rollback. Jobs that become claimable otherwise (rescued, made due) are announced too.
/// </summary>
public sealed class CommitNoticesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private ClusterDatabase _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterDatabase.CreateAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ScopeWithEventsAndAJob_IsAnnouncedOnlyAfterCommit_WithItsHighestSequenceAndTheQueue()
    {
        var (events, queues) = await ListenAsync();
        var jobs = _cluster.OpenStore();
        var store = new PostgresTaskStore(jobs);
        var task = QueuedTasks.New(Now, "a kite announced");

        long last;
        await using (var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            await scope.TaskInsertAsync(task, CancellationToken.None);
            await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
            last = await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
            await jobs.JobInsertManyAsync([Row("render")], scope.Transaction, CancellationToken.None);

            Assert.False(await HeardWithinAsync(events.Reader, Quiet), "task events announced before the commit");
            Assert.False(await HeardWithinAsync(queues.Reader, Quiet), "a job announced before the commit");
            await scope.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(last, await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("render", await queues.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ScopeRolledBack_IsNeverAnnounced_AndTheNextCommitIs()
    {
        var (events, queues) = await ListenAsync();
        var jobs = _cluster.OpenStore();
        var store = new PostgresTaskStore(jobs);
        var dropped = QueuedTasks.New(Now, "a kite announced");
        await using (var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            await scope.TaskInsertAsync(dropped, CancellationToken.None);
            await scope.EventAppendAsync(dropped, TaskJson.SerializeForLog(dropped), Now, CancellationToken.None);
            await jobs.JobInsertManyAsync([Row("render")], scope.Transaction, CancellationToken.None);
        }

        // A store's own insert (no caller's transaction) is announced after its commit too.
        await jobs.JobInsertManyAsync([Row("upload")], null, CancellationToken.None);

        Assert.Equal("upload", await queues.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await HeardWithinAsync(events.Reader, Quiet), "a rolled-back event was announced");
        Assert.False(await HeardWithinAsync(queues.Reader, Quiet), "a rolled-back job was announced");
    }

    [Fact]
    public async Task JobsRescuedFromADeadNodeOrMadeDue_AreAnnounced_SoAnyNodeClaimsThemAtOnce()
    {
        var (_, queues) = await ListenAsync();
        var jobs = _cluster.OpenStore();
        var inserted = await jobs.JobInsertManyAsync([Row("render"), Row("later") with { State = JobState.Scheduled, ScheduledAt = Now.AddHours(1) }], null, CancellationToken.None);
        Assert.Equal("render", await ReadAsync(queues));
        var claimed = await jobs.JobClaimAsync(new JobClaimRequest("dead-node", 1, Now, Now.AddSeconds(30), [new QueueLimit("render", null)], null), CancellationToken.None);
        Assert.Single(claimed);

        var rescued = await jobs.JobRescueExpiredAsync(Now.AddMinutes(1), 10, 5, CancellationToken.None);
        Assert.Equal(JobState.Retryable, Assert.Single(rescued).State);
        Assert.Equal("render", await ReadAsync(queues));

        var due = await jobs.JobMakeDueAsync(inserted[1].Job.Id, Now, CancellationToken.None);
        Assert.Equal(Now, due!.ScheduledAt);
        Assert.Equal("later", await ReadAsync(queues));

        // Already due: nothing changed, nothing to announce.
        await jobs.JobMakeDueAsync(inserted[1].Job.Id, Now.AddSeconds(1), CancellationToken.None);
        Assert.False(await HeardWithinAsync(queues.Reader, Quiet), "a job that was already due was announced again");
    }

    private static async Task<string?> ReadAsync(Channel<string?> channel) =>
        await channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    private async Task<(Channel<long> Events, Channel<string?> Queues)> ListenAsync()
    {
        var events = Channel.CreateUnbounded<long>();
        var queues = Channel.CreateUnbounded<string?>();
        await _cluster.TaskEventFeed().SubscribeAsync(s => events.Writer.TryWrite(s), CancellationToken.None);
        var listener = _cluster.OpenStore();
        _cluster.Own(await listener.SubscribeAsync(q => queues.Writer.TryWrite(q), CancellationToken.None));
        return (events, queues);
    }

    private static async Task<bool> HeardWithinAsync<T>(ChannelReader<T> reader, TimeSpan wait)
    {
        var read = reader.WaitToReadAsync().AsTask();
        return await Task.WhenAny(read, Task.Delay(wait)) == read;
    }

    private static JobInsertRow Row(string queue) => new("work", queue, "{}", 0, JobState.Available, 3, Now, Now, null, null);
}
