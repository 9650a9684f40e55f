using System.Threading.Channels;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>A job inserted on one node starts on another at once (NOTIFY at commit), also after the listener was cut.</summary>
public sealed class CrossNodeJobWakeTests : IAsyncLifetime
{
    private ClusterDatabase _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterDatabase.CreateAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task JobInsertedThroughAnotherNodesStore_IsClaimedLongBeforeThisNodesPoll_AlsoAfterItsListenerWasCut()
    {
        var ran = Channel.CreateUnbounded<long>();
        var handlers = new JobHandlerRegistry().Add("work", (ctx, _) =>
        {
            ran.Writer.TryWrite(ctx.Job.Id);
            return Task.FromResult(JobOutcome.Completed);
        });

        // Node B polls every five minutes: only the notification of node A's insert can start B's job in time.
        var options = new JobEngineOptions { PollInterval = TimeSpan.FromMinutes(5), NodeId = "node-b" };
        var nodeB = _cluster.Own(new JobEngine(_cluster.OpenStore(), options, handlers));
        await nodeB.StartAsync(CancellationToken.None);
        var nodeA = new JobEngine(_cluster.OpenStore(), new JobEngineOptions { NodeId = "node-a" }, new JobHandlerRegistry());
        await Task.Delay(300); // the producer's first look at start is over

        var first = await nodeA.InsertAsync(new NewJob("work", "{}"));
        Assert.Equal(first.Job.Id, await ReadAsync(ran));

        var listener = await _cluster.ListenerProcessAsync();
        await _cluster.TerminateBackendAsync(listener);
        var reconnected = 0;
        for (var tries = 0; tries < 100 && (reconnected == 0 || reconnected == listener); tries++)
        {
            await Task.Delay(100);
            reconnected = await _cluster.ListenerProcessAsync();
        }

        Assert.True(reconnected != 0 && reconnected != listener, "node B did not listen again");
        await Task.Delay(300); // the catch-up look after reconnecting is over

        var second = await nodeA.InsertAsync(new NewJob("work", "{}"));
        Assert.Equal(second.Job.Id, await ReadAsync(ran));
    }

    private static async Task<long> ReadAsync(Channel<long> channel) =>
        await channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
