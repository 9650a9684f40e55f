using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Postgres.Testing;
using GridQueue.Storage.Postgres.Tasks;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Npgsql;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Tasks;

/// <summary>
/// What the shared contract cannot say about this backend: the orders of events that only concurrent writers on
/// PostgreSQL produce, the job store joining a scope's transaction, and what a scope sets on its connection.
/// </summary>
public sealed class PostgresTaskStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly EventPageSize Everything = new(1000, 1 << 30);

    private readonly PostgresTestDatabase _database = new();
    private PostgresJobStore? _jobs;
    private PostgresTaskStore? _store;

    private PostgresTaskStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    private PostgresJobStore Jobs => _jobs ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync()
    {
        await _database.CreateAsync();
        _jobs = _database.OpenStore();
        await _jobs.MigrateAsync(CancellationToken.None);
        _store = new PostgresTaskStore(_jobs);
    }

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task Events_AWriterWhoseXidIsOlder_DrawingTheHigherNumber_IsNotListedBeforeTheOpenLowerOne()
    {
        // A gets its xid first (its task insert), B draws the lower number and stays open, A draws the higher one
        // and commits. "The writer's xid is below every open xid" holds for A here, yet 1 is still open.
        var a = QueuedTasks.New(Now, "kite 1");
        var b = QueuedTasks.New(Now, "kite 2");
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);
        var second = new PostgresTaskStore(_database.OpenStore());

        await using var writerA = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await writerA.TaskInsertAsync(a, CancellationToken.None);
        await using var writerB = await second.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await writerB.TaskInsertAsync(b, CancellationToken.None);
        var lower = await writerB.EventAppendAsync(b, TaskJson.SerializeForLog(b), Now, CancellationToken.None);
        var higher = await writerA.EventAppendAsync(a, TaskJson.SerializeForLog(a), Now, CancellationToken.None);
        await writerA.CommitAsync(CancellationToken.None);

        var whileLowerOpen = await Store.EventListAfterAsync(baseline, null, null, Everything, CancellationToken.None);
        var resumeWhileOpen = await Store.EventLastSequenceAsync(CancellationToken.None);
        await writerB.CommitAsync(CancellationToken.None);
        var afterBoth = await Store.EventListAfterAsync(baseline, null, null, Everything, CancellationToken.None);

        Assert.True(higher > lower);
        Assert.Empty(whileLowerOpen);
        Assert.Equal(baseline, resumeWhileOpen);
        Assert.Equal(new[] { lower, higher }, afterBoth.Select(e => e.Sequence));
        Assert.Equal(higher, await Store.EventLastSequenceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Events_AnOpenWritingTransactionOnAnotherDatabase_DoesNotHoldTheLogBack()
    {
        await using var other = await PostgresTestServer.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(other.ConnectionString);
        await connection.OpenAsync();
        await using var open = await connection.BeginTransactionAsync();
        await using (var takeXid = new NpgsqlCommand("SELECT pg_current_xact_id()", connection, open))
        {
            await takeXid.ExecuteScalarAsync();
        }

        var task = QueuedTasks.New(Now, "kite 1");
        await InsertAsync(task);

        var events = await Store.EventListAfterAsync(0, null, null, Everything, CancellationToken.None);
        Assert.Equal(task.Id, Assert.Single(events).TaskId);
        Assert.Equal(events[0].Sequence, await Store.EventLastSequenceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Events_AnOpenTransactionThatWroteNoEvent_DoesNotHoldTheLogBack()
    {
        // A job claim or a task write that has not reached its event: it has an xid and rows of its own, no number.
        await using var openWriter = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        var job = new JobInsertRow("video", "tasks", "{}", 0, JobState.Available, 3, Now, Now, null, null);
        await Jobs.JobInsertManyAsync([job], openWriter.Transaction, CancellationToken.None);
        var openTask = QueuedTasks.New(Now, "kite 0");
        await openWriter.TaskInsertAsync(openTask, CancellationToken.None);

        var task = QueuedTasks.New(Now, "kite 1");
        await InsertAsync(task);

        var events = await Store.EventListAfterAsync(0, null, null, Everything, CancellationToken.None);
        Assert.Equal(task.Id, Assert.Single(events).TaskId);
        Assert.Equal(events[0].Sequence, await Store.EventLastSequenceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task IdempotencyKey_ClaimedWhileTheFirstClaimIsUncommitted_WaitsAndGetsTheFirstTask()
    {
        var second = new PostgresTaskStore(_database.OpenStore());
        var first = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await using var other = await second.BeginAsync(WriteDurability.Durable, CancellationToken.None); // connected before the race
        Assert.Null(await first.IdempotencyKeyClaimAsync("alice", "k", "task_first", Now, Now.AddDays(-1), CancellationToken.None));

        // The second claim reads while the first is still open: a claim that looks, then writes, finds no holder.
        var waiting = other.IdempotencyKeyClaimAsync("alice", "k", "task_second", Now, Now.AddDays(-1), CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        await first.CommitAsync(CancellationToken.None);
        await first.DisposeAsync();

        Assert.Equal("task_first", await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task LockSlots_HoldsUpTheSameUserOrProvider_NotOthers()
    {
        await using var holder = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await using var otherUserAndProvider = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await using var sameUser = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await using var sameProvider = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await holder.LockSlotsAsync("alice", "simulator", CancellationToken.None);

        var sameUserLocked = sameUser.LockSlotsAsync("alice", "other", CancellationToken.None);
        var sameProviderLocked = sameProvider.LockSlotsAsync("bob", "simulator", CancellationToken.None);
        await otherUserAndProvider.LockSlotsAsync("carol", "third", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        var heldWhileOpen = (sameUserLocked.IsCompleted, sameProviderLocked.IsCompleted);
        await otherUserAndProvider.CommitAsync(CancellationToken.None);
        await holder.CommitAsync(CancellationToken.None);
        await Task.WhenAll(sameUserLocked, sameProviderLocked).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((false, false), heldWhileOpen);
    }

    [Fact]
    public async Task LockSlots_ANullProvider_IsNotHeldAndDoesNotWaitForOneHeld()
    {
        await using var holder = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await using var unlimitedProvider = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await using var nothingHeld = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await using var sameProvider = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await holder.LockSlotsAsync("alice", null, CancellationToken.None);

        // Would wait for the holder if the provider were held by either side.
        await unlimitedProvider.LockSlotsAsync("bob", null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await nothingHeld.LockSlotsAsync(null, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await sameProvider.LockSlotsAsync(null, "simulator", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await holder.CommitAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Scope_AJobInsertedInItsTransaction_CommitsOrRollsBackWithTheTask(bool commit)
    {
        var task = QueuedTasks.New(Now, "kite 1");
        long jobId;
        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            await scope.TaskInsertAsync(task, CancellationToken.None);
            var row = new JobInsertRow("video", "tasks", "{}", 0, JobState.Available, 3, Now, Now, null, null);
            jobId = (await Jobs.JobInsertManyAsync([row], scope.Transaction, CancellationToken.None))[0].Job.Id;
            if (commit)
            {
                await scope.CommitAsync(CancellationToken.None);
            }
        }

        Assert.Equal(commit, await Store.TaskGetAsync(task.Id, CancellationToken.None) is not null);
        Assert.Equal(commit, await Jobs.JobGetAsync(jobId, CancellationToken.None) is not null);
    }

    [Theory]
    [InlineData(WriteDurability.Durable, "on")]
    [InlineData(WriteDurability.Relaxed, "off")]
    public async Task Scope_Relaxed_TurnsSynchronousCommitOff_ForItsOwnTransactionOnly(WriteDurability durability, string expected)
    {
        // The test server runs with synchronous_commit off; these sessions start with it on, as a production server's do.
        var durable = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Options = "-c synchronous_commit=on" };
        using var jobs = new PostgresJobStore(new PostgresStorageOptions { ConnectionString = durable.ConnectionString });
        var store = new PostgresTaskStore(jobs);
        string during;
        await using (var scope = await store.BeginAsync(durability, CancellationToken.None))
        {
            during = await ShowSynchronousCommitAsync((NpgsqlConnection)scope.Transaction.Connection!, (NpgsqlTransaction)scope.Transaction);
            await scope.CommitAsync(CancellationToken.None);
        }

        await using var connection = await jobs.DataSource.OpenConnectionAsync(); // the same pooled session, its transaction over
        Assert.Equal(expected, during);
        Assert.Equal("on", await ShowSynchronousCommitAsync(connection, null));
    }

    private static async Task<string> ShowSynchronousCommitAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        await using var show = new NpgsqlCommand("SHOW synchronous_commit", connection, transaction);
        return (string)(await show.ExecuteScalarAsync())!;
    }

    private async Task InsertAsync(VideoTask task)
    {
        await using var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await scope.TaskInsertAsync(task, CancellationToken.None);
        await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
        await scope.CommitAsync(CancellationToken.None);
    }
}
