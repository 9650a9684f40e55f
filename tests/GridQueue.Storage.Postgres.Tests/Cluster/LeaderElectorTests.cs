using GridQueue.Storage.Testing;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>One leader among the nodes at a time, and another as soon as it is gone.</summary>
public sealed class LeaderElectorTests : IAsyncLifetime
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);
    private ClusterDatabase _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterDatabase.CreateAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TwoNodes_OneLeads_TheOtherTakesOverWhenTheLeadersConnectionEnds()
    {
        var nodes = new[] { _cluster.Elector(Retry), _cluster.Elector(Retry) };
        foreach (var node in nodes)
        {
            node.Start();
        }

        await Eventually.UntilAsync(() => nodes.Any(n => n.IsLeader), "a node leads");

        // Several rounds of both trying: the lead stays with one node.
        await Task.Delay(Retry * 5);
        Assert.Single(nodes, n => n.IsLeader);
        var leader = nodes.Single(n => n.IsLeader);
        var follower = nodes.Single(n => !n.IsLeader);

        await _cluster.TerminateBackendAsync(leader.ProcessId);

        await Eventually.UntilAsync(() => follower.IsLeader, "the follower leads");
        await Eventually.UntilAsync(() => !leader.IsLeader, "the old leader noticed it lost the lead");
        await Task.Delay(Retry * 5);
        Assert.True(follower.IsLeader && !leader.IsLeader, "the lead went back and forth");
    }

    [Fact]
    public async Task LeaderStopped_TheOtherNodeTakesOver()
    {
        var first = _cluster.Elector(Retry);
        first.Start();
        await Eventually.UntilAsync(() => first.IsLeader, "the first node leads");
        var second = _cluster.Elector(Retry);
        second.Start();
        await Task.Delay(Retry * 3);
        Assert.False(second.IsLeader);

        await first.DisposeAsync();

        Assert.False(first.IsLeader);
        await Eventually.UntilAsync(() => second.IsLeader, "the second node leads");
    }
}
