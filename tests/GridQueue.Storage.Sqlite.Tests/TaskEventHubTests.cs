using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Storage.Testing.Tasks;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>
/// The push hub on a real SQLite event log. A listener's loop runs inline when the hub hands it an event
/// (<see cref="TaskEventSubscription"/>), so it may end and unsubscribe in the middle of the hub's hand-out.
/// </summary>
public sealed class TaskEventHubTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly SqliteTestDatabase _database = new();
    private readonly TaskChangeSignal _signal = new();
    private SqliteTaskStore _store = null!;
    private TaskEventHub _hub = null!;
    private int _tasks;

    public async Task InitializeAsync()
    {
        var jobs = _database.OpenStore();
        await jobs.MigrateAsync(CancellationToken.None);
        _store = new SqliteTaskStore(jobs);
        _hub = new TaskEventHub(_store, _signal, NullLogger<TaskEventHub>.Instance, fallbackPoll: TimeSpan.FromHours(1));
        await _hub.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _hub.StopAsync(CancellationToken.None);
        _hub.Dispose();
        _store.Dispose();
        await _database.DeleteAsync();
    }

    [Fact]
    public async Task ListenerThatLeavesOnItsFirstEvent_OthersGetEveryEventOnce_InOrder()
    {
        var leaver = await _hub.SubscribeAsync("alice", null, CancellationToken.None);
        using var stayer = await _hub.SubscribeAsync("alice", null, CancellationToken.None);
        var left = LeaveOnFirstEventAsync(leaver);

        // One commit of three events: one read, one hand-out, and the leaver unsubscribes inside it.
        await AppendAsync(3);
        Assert.Equal(1, await left.WaitAsync(Patience));
        await AppendAsync(1);

        var received = new List<long>();
        using var timeout = new CancellationTokenSource(Patience);
        while (received.Count < 4 && await stayer.Events.WaitToReadAsync(timeout.Token))
        {
            while (stayer.Events.TryRead(out var e))
            {
                received.Add(e.Sequence);
            }
        }

        Assert.Equal([1, 2, 3, 4], received);
        Assert.Equal(4, _hub.DeliveredSequence);
        Assert.False(stayer.Events.Completion.IsCompleted);
    }

    private static async Task<long> LeaveOnFirstEventAsync(TaskEventSubscription subscription)
    {
        using (subscription)
        {
            Assert.True(await subscription.Events.WaitToReadAsync());
            Assert.True(subscription.Events.TryRead(out var first));
            return first.Sequence;
        }
    }

    private async Task AppendAsync(int events)
    {
        await using (var scope = await _store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            for (var i = 0; i < events; i++)
            {
                var task = TestTasks.New(Now, ++_tasks);
                await scope.TaskInsertWithEventAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
            }

            await scope.CommitAsync(CancellationToken.None);
        }

        _signal.Raise();
    }
}
