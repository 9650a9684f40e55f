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
    public async Task Notify_OnTaskEventChannel_WakesEverySubscriber()
    {
        var feed = _cluster.TaskEventFeed();
        var first = Channel.CreateUnbounded<bool>();
        var second = Channel.CreateUnbounded<bool>();
        await using var one = await feed.SubscribeAsync(() => first.Writer.TryWrite(true), CancellationToken.None);
        await using var two = await feed.SubscribeAsync(() => second.Writer.TryWrite(true), CancellationToken.None);

        await _cluster.NotifyAsync(PostgresTaskEventFeed.Channel, "1");

        await ReadAsync(first);
        await ReadAsync(second);
        Assert.Equal(1, feed.Connections);
    }

    [Fact]
    public async Task ListeningConnectionTerminated_Reconnects_WakesOnceAndHearsAgain()
    {
        var feed = _cluster.TaskEventFeed();
        var woken = Channel.CreateUnbounded<bool>();
        await using var subscription = await feed.SubscribeAsync(() => woken.Writer.TryWrite(true), CancellationToken.None);
        var first = feed.ProcessId;

        await _cluster.TerminateBackendAsync(first);

        // The catch-up wake-up after reconnecting: what was committed while nobody listened is read from the log.
        await ReadAsync(woken);
        Assert.Equal(2, feed.Connections);
        Assert.NotEqual(first, feed.ProcessId);
        Assert.False(woken.Reader.TryRead(out _), "woken more than once for one reconnect");

        await _cluster.NotifyAsync(PostgresTaskEventFeed.Channel, "2");
        await ReadAsync(woken);
    }

    [Fact]
    public async Task Subscribe_WhenTheDatabaseIsUnreachable_Fails()
    {
        await using var feed = new PostgresTaskEventFeed("Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2", TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<Exception>(() => feed.SubscribeAsync(() => { }, CancellationToken.None));
    }

    private static async Task ReadAsync(Channel<bool> channel) =>
        await channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
