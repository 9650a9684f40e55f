using System.Threading.Channels;
using GridQueue.Storage.Postgres.Cluster;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>The push hub's wake-ups across nodes (LISTEN gq_task_events), and what happens when that connection dies.</summary>
public sealed class TaskEventFeedTests : IAsyncLifetime
{
    private ClusterDatabase _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterDatabase.CreateAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Notify_OnTaskEventChannel_WakesEverySubscriberWithTheSequence()
    {
        var feed = _cluster.TaskEventFeed();
        var first = Channel.CreateUnbounded<long>();
        var second = Channel.CreateUnbounded<long>();
        await using var one = await feed.SubscribeAsync(s => first.Writer.TryWrite(s), CancellationToken.None);
        await using var two = await feed.SubscribeAsync(s => second.Writer.TryWrite(s), CancellationToken.None);

        await _cluster.NotifyAsync(PostgresTaskEventFeed.Channel, "41");
        await _cluster.NotifyAsync(PostgresTaskEventFeed.Channel, "not a sequence");

        Assert.Equal(41, await ReadAsync(first));
        Assert.Equal(41, await ReadAsync(second));
        Assert.Equal(0, await ReadAsync(first)); // a word without a sequence still wakes, announcing nothing
        Assert.Equal(1, feed.Connections);
    }

    [Fact]
    public async Task JobWakeUpsAndTaskEvents_OfOneNode_ShareOneListeningConnection()
    {
        var store = _cluster.OpenStore();
        var feed = new PostgresTaskEventFeed(store);
        var events = Channel.CreateUnbounded<long>();
        var queues = Channel.CreateUnbounded<string?>();
        await using var onEvents = await feed.SubscribeAsync(s => events.Writer.TryWrite(s), CancellationToken.None);
        await using var onJobs = await store.SubscribeAsync(q => queues.Writer.TryWrite(q), CancellationToken.None);

        await _cluster.NotifyAsync(PostgresTaskEventFeed.Channel, "7");
        await _cluster.NotifyAsync("gq_jobs_available", "render");

        Assert.Equal(7, await ReadAsync(events));
        Assert.Equal("render", await queues.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, feed.Connections);
        Assert.Equal(feed.ProcessId, await _cluster.ListenerProcessAsync());
    }

    [Fact]
    public async Task ListeningConnectionTerminated_Reconnects_WakesOnceAndHearsAgain()
    {
        var feed = _cluster.TaskEventFeed();
        var woken = Channel.CreateUnbounded<long>();
        await using var subscription = await feed.SubscribeAsync(s => woken.Writer.TryWrite(s), CancellationToken.None);
        var first = feed.ProcessId;

        await _cluster.TerminateBackendAsync(first);

        // The catch-up wake-up after reconnecting: what was committed while nobody listened is read from the log; the
        // feed cannot know its sequences.
        Assert.Equal(0, await ReadAsync(woken));
        Assert.Equal(2, feed.Connections);
        Assert.NotEqual(first, feed.ProcessId);
        Assert.False(woken.Reader.TryRead(out _), "woken more than once for one reconnect");

        await _cluster.NotifyAsync(PostgresTaskEventFeed.Channel, "2");
        Assert.Equal(2, await ReadAsync(woken));
    }

    [Fact]
    public async Task Subscribe_WhenTheDatabaseIsUnreachable_Fails()
    {
        using var unreachable = new PostgresJobStore(new PostgresStorageOptions { ConnectionString = "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2" });
        var feed = new PostgresTaskEventFeed(unreachable);

        await Assert.ThrowsAnyAsync<Exception>(() => feed.SubscribeAsync(_ => { }, CancellationToken.None));
    }

    private static async Task<long> ReadAsync(Channel<long> channel) =>
        await channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
