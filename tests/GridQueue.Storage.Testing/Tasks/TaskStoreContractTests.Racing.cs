using System.Collections.Concurrent;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Xunit;

namespace GridQueue.Storage.Testing.Tasks;

/// <summary>
/// The guarantees that must hold with concurrent writers: racing transactions on two store instances (two nodes).
/// Each is written to fail on a store that merely reads, then writes (a naive port to a database with concurrent
/// writers), and to pass on one whose operation keeps the guarantee itself.
/// </summary>
public abstract partial class TaskStoreContractTests
{
    /// <summary>How long a racing transaction holds what it took, so that the others surely arrive meanwhile.</summary>
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(30);

    private const int Racers = 8; // per node

    [Fact]
    public async Task TaskUpdate_FromOneVersion_RacingOnTwoNodes_ExactlyOneWins()
    {
        var task = NewTask(1);
        await InsertAsync(task);
        var second = database.OpenSecondTaskStore();

        var wins = await RaceAsync(second, async (store, racer) =>
        {
            await using var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
            var won = await scope.TaskUpdateAsync(task with { Progress = racer, Version = 2 }, 1, CancellationToken.None);
            await Task.Delay(Held);
            await scope.CommitAsync(CancellationToken.None);
            return won;
        });

        var stored = (await Store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None))!;
        Assert.Equal(1, wins.Count(w => w.Result));
        Assert.Equal(wins.Single(w => w.Result).Racer, stored.Progress);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task TaskUpdateWithEvent_FromOneVersion_RacingOnTwoNodes_OneWinsAndOnlyItsEventIsLogged()
    {
        var task = NewTask(1);
        await InsertAsync(task);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);
        var second = database.OpenSecondTaskStore();

        var wins = await RaceAsync(second, async (store, racer) =>
        {
            await using var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
            var changed = task with { Progress = racer, Version = 2 };
            var won = await scope.TaskUpdateWithEventAsync(changed, 1, onlyProgressMoved: true, TaskJson.SerializeForLog(changed), Now, CancellationToken.None);
            await Task.Delay(Held);
            await scope.CommitAsync(CancellationToken.None);
            return won;
        });

        var winner = Assert.Single(wins, w => w.Result).Racer;
        Assert.Equal(winner, (await Store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None))!.Progress);
        var logged = Assert.Single(await Store.EventListAfterAsync(baseline, null, null, Everything, CancellationToken.None));
        Assert.Equal(TaskJson.SerializeForLog(task with { Progress = winner, Version = 2 }), logged.Payload);
    }

    [Fact]
    public async Task IdempotencyKey_ClaimedOnTwoNodesAtOnce_OneTaskIsMade_AndEveryOtherClaimGetsIt()
    {
        var second = database.OpenSecondTaskStore();

        var claims = await RaceAsync(second, async (store, racer) =>
        {
            var mine = NewTask(100 + racer);
            await using var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
            var holder = await scope.IdempotencyKeyClaimAsync("alice", "same-key", mine.Id, Now, Now.AddDays(-1), CancellationToken.None);
            if (holder is not null)
            {
                return (Mine: mine.Id, Holder: holder);
            }

            await scope.TaskInsertAsync(mine, CancellationToken.None);
            await scope.EventAppendAsync(mine, TaskJson.SerializeForLog(mine), Now, CancellationToken.None);
            await Task.Delay(Held);
            await scope.CommitAsync(CancellationToken.None);
            return (Mine: mine.Id, Holder: mine.Id);
        });

        var made = await Store.TaskListAsync("alice", null, null, 100, 1 << 20, CancellationToken.None);
        var winner = Assert.Single(made).Id;
        Assert.Single(claims, c => c.Result.Mine == winner);
        Assert.All(claims, c => Assert.Equal(winner, c.Result.Holder));
    }

    [Fact]
    public async Task IdempotencyKey_ClaimRolledBack_WhileAnotherWaits_TheOtherClaimsIt()
    {
        var second = database.OpenSecondTaskStore();
        var first = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        Assert.Null(await first.IdempotencyKeyClaimAsync("alice", "k", "task_first", Now, Now.AddDays(-1), CancellationToken.None));

        var waiting = Task.Run(async () =>
        {
            await using var scope = await second.BeginAsync(WriteDurability.Durable, CancellationToken.None);
            var holder = await scope.IdempotencyKeyClaimAsync("alice", "k", "task_second", Now, Now.AddDays(-1), CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
            return holder;
        });
        await Task.Delay(Held * 3);
        await first.DisposeAsync(); // rolls back

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        await using var look = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        Assert.Equal("task_second", await look.IdempotencyKeyClaimAsync("alice", "k", "task_third", Now, Now.AddDays(-1), CancellationToken.None));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Starts_RacingOnTwoNodes_UnderTheSlotLock_NeverPassTheLimit(bool perUser)
    {
        // Per user: alice's tasks on two providers, limit 3. Per provider: many users' tasks on one, limit 3.
        const int limit = 3;
        var tasks = Enumerable.Range(1, 2 * Racers)
            .Select(i => NewTask(i, userId: perUser ? "alice" : $"user-{i}", provider: perUser && i % 2 == 0 ? "other" : "simulator"))
            .ToList();
        foreach (var task in tasks)
        {
            await InsertAsync(task);
        }

        var second = database.OpenSecondTaskStore();
        var started = await RaceAsync(second, async (store, racer) =>
        {
            var task = tasks[racer];
            await using var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
            await scope.LockSlotsAsync(task.UserId, task.Provider, CancellationToken.None);
            var running = await scope.TaskCountRunningAsync(perUser ? task.UserId : null, perUser ? null : task.Provider, CancellationToken.None);
            if (running >= limit)
            {
                return false;
            }

            var current = (await scope.TaskGetAsync(task.Id, CancellationToken.None))!;
            var next = current with { Status = VideoTaskStatus.Running, StartedAt = Now, Version = current.Version + 1 };
            Assert.True(await scope.TaskUpdateAsync(next, current.Version, CancellationToken.None));
            await Task.Delay(Held);
            await scope.CommitAsync(CancellationToken.None);
            return true;
        });

        var runningNow = await Store.TaskCountRunningAsync(perUser ? "alice" : null, perUser ? null : "simulator", CancellationToken.None);
        Assert.Equal(limit, started.Count(s => s.Result));
        Assert.Equal(limit, runningNow);
    }

    [Fact]
    public async Task Events_AHigherSequenceCommittedFirst_IsNotListedUntilTheLowerOneCommits()
    {
        var early = NewTask(1);
        var late = NewTask(2);
        await InsertAsync(early);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);
        var second = database.OpenSecondTaskStore();

        // Node 1 appends and holds its transaction open; node 2 appends after it and commits (on a store with one
        // writer at a time, node 2 waits instead). A reader must not see node 2's event ahead of node 1's.
        var holding = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        var lower = await holding.EventAppendAsync(early, TaskJson.SerializeForLog(early), Now, CancellationToken.None);
        var other = Task.Run(async () =>
        {
            await using var scope = await second.BeginAsync(WriteDurability.Durable, CancellationToken.None);
            var sequence = await scope.EventAppendAsync(late, TaskJson.SerializeForLog(late), Now, CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
            return sequence;
        });
        await Task.WhenAny(other, Task.Delay(Held * 10));

        var whileOpen = await Store.EventListAfterAsync(baseline, null, null, Everything, CancellationToken.None);
        await holding.CommitAsync(CancellationToken.None);
        await holding.DisposeAsync();
        var higher = await other.WaitAsync(TimeSpan.FromSeconds(30));
        var afterCommit = await Store.EventListAfterAsync(baseline, null, null, Everything, CancellationToken.None);

        Assert.Empty(whileOpen);
        Assert.True(higher > lower, $"The later append got {higher}, not above {lower}.");
        Assert.Equal(new[] { lower, higher }, afterCommit.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Events_ALowerSequenceRolledBack_DoesNotHoldBackTheHigherOnes()
    {
        var task = NewTask(1);
        await InsertAsync(task);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);
        var second = database.OpenSecondTaskStore();

        var abandoned = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await abandoned.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
        var other = Task.Run(async () =>
        {
            await using var scope = await second.BeginAsync(WriteDurability.Durable, CancellationToken.None);
            var sequence = await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
            return sequence;
        });
        await Task.WhenAny(other, Task.Delay(Held * 10));
        await abandoned.DisposeAsync(); // rolls back
        var committed = await other.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(committed, Assert.Single(await Store.EventListAfterAsync(baseline, null, null, Everything, CancellationToken.None)).Sequence);
    }

    [Fact]
    public async Task Events_AppendedOnTwoNodesAtOnce_AReaderFollowingThemMissesNone()
    {
        const int perRacer = 15;
        var task = NewTask(1);
        await InsertAsync(task);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);
        var second = database.OpenSecondTaskStore();
        using var stop = new CancellationTokenSource();

        var seen = new List<long>();
        var reader = Task.Run(async () =>
        {
            // After the writers are done the reader goes on until it has them all: an event may still be held back
            // for a moment by any transaction with an xid on the database (an autovacuum ANALYZE takes one), which
            // the contract allows. A reader that skipped one never gets there and stops at the deadline.
            var after = baseline;
            var deadline = DateTime.MaxValue;
            while (seen.Count < 2 * Racers * perRacer && DateTime.UtcNow < deadline)
            {
                var page = await Store.EventListAfterAsync(after, null, null, new EventPageSize(7, 1 << 20), CancellationToken.None);
                seen.AddRange(page.Select(e => e.Sequence));
                after = page.Count > 0 ? page[^1].Sequence : after;
                if (stop.IsCancellationRequested && deadline == DateTime.MaxValue)
                {
                    deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                }
            }
        });
        await RaceAsync(second, async (store, racer) =>
        {
            for (var i = 0; i < perRacer; i++)
            {
                await using var scope = await store.BeginAsync(WriteDurability.Relaxed, CancellationToken.None);
                await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
                await Task.Delay(TimeSpan.FromMilliseconds((racer + i) % 3));
                await scope.CommitAsync(CancellationToken.None);
            }

            return true;
        });
        await stop.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        var all = await Store.EventListAfterAsync(baseline, null, null, Everything, CancellationToken.None);
        Assert.Equal(2 * Racers * perRacer, all.Count);
        Assert.Equal(all.Select(e => e.Sequence), seen);
    }

    /// <summary>
    /// Runs <see cref="Racers"/> copies of <paramref name="race"/> on this store and as many on
    /// <paramref name="second"/>, all released at once; returns each racer's number and result.
    /// </summary>
    private async Task<IReadOnlyList<(int Racer, T Result)>> RaceAsync<T>(ITaskStore second, Func<ITaskStore, int, Task<T>> race)
    {
        using var go = new ManualResetEventSlim();
        var results = new ConcurrentBag<(int, T)>();
        var racers = Enumerable.Range(0, 2 * Racers).Select(racer => Task.Run(async () =>
        {
            go.Wait();
            results.Add((racer, await race(racer % 2 == 0 ? Store : second, racer)));
        })).ToList();
        go.Set();
        await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(60));
        return [.. results.OrderBy(r => r.Item1)];
    }
}
