using GridQueue.Engine.Storage;
using GridQueue.Storage.Postgres.Tasks;
using GridQueue.Storage.Postgres.Tests.Tasks;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>
/// The push hub on PostgreSQL, for an event that is committed and announced but not yet listable: the log holds it
/// back while an older writing transaction is open, and that transaction's end sends no word. The hub must look
/// again by itself; its fallback poll is set to an hour here, so only that catch-up can deliver the event.
/// </summary>
public sealed class HeldBackEventPushTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private ClusterDatabase _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterDatabase.CreateAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task EventHeldBackByAnOpenTransaction_IsPushedWhenThatTransactionEnds_WithoutAnotherWakeUp()
    {
        var store = new PostgresTaskStore(_cluster.OpenStore());
        var hub = new TaskEventHub(
            store, new TaskChangeSignal(), NullLogger<TaskEventHub>.Instance, _cluster.TaskEventFeed(), fallbackPoll: TimeSpan.FromHours(1));
        await hub.StartAsync(CancellationToken.None);
        try
        {
            using var subscription = await hub.SubscribeAsync("alice", null, CancellationToken.None);

            // An older event writer, open: it has drawn a lower number, and nothing is listed past it until it ends.
            var olderTask = QueuedTasks.New(Now, "a kite that never lands");
            var older = await new PostgresTaskStore(_cluster.OpenStore()).BeginAsync(WriteDurability.Durable, CancellationToken.None);
            await older.TaskInsertWithEventAsync(olderTask, TaskJson.SerializeForLog(olderTask), Now, CancellationToken.None);

            var task = QueuedTasks.New(Now, "a kite held back");
            await using (var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
            {
                await scope.TaskInsertAsync(task, CancellationToken.None);
                await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
                await scope.CommitAsync(CancellationToken.None); // its NOTIFY wakes the hub, which cannot list it yet
            }

            // Long enough for the announced read to have happened; the event must not come while the older is open.
            var early = subscription.Events.ReadAsync().AsTask();
            var firstLook = await Task.WhenAny(early, Task.Delay(TimeSpan.FromMilliseconds(300)));
            Assert.NotSame(early, firstLook);

            await older.DisposeAsync(); // rolls back: its number never exists, and no notification is sent
            var pushed = await early.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(task.Id, pushed.TaskId);
        }
        finally
        {
            await hub.StopAsync(CancellationToken.None);
            hub.Dispose();
        }
    }
}
