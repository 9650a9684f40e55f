using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Testing;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>The engine's whole-database chores (rescue, cleanup) run on the leader only, and move with the lead.</summary>
public sealed class LeaderChoresTests : IAsyncLifetime
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);
    private ClusterDatabase _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterDatabase.CreateAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TwoEngines_OnlyTheLeaderRescuesAndCleans_UntilItsLeadEnds()
    {
        var (storeA, electorA) = await StartNodeAsync("node-a");
        await Eventually.UntilAsync(() => electorA.IsLeader, "node A leads");
        var (storeB, electorB) = await StartNodeAsync("node-b");

        await Eventually.UntilAsync(() => storeA.Rescues >= 3 && storeA.Cleanups >= 3, "node A ran its chores a few times");
        Assert.Equal(0, storeB.Rescues);
        Assert.Equal(0, storeB.Cleanups);

        await _cluster.TerminateBackendAsync(electorA.ProcessId);
        await Eventually.UntilAsync(() => electorB.IsLeader && !electorA.IsLeader, "node B took the lead");
        var rescuesOfA = storeA.Rescues;
        await Eventually.UntilAsync(() => storeB.Rescues >= 3 && storeB.Cleanups >= 3, "node B ran the chores a few times");

        // A node that lost the lead may finish a round it had started, no more (and it has not led again since).
        Assert.InRange(storeA.Rescues, rescuesOfA, rescuesOfA + 1);
        Assert.False(electorA.IsLeader);
    }

    private async Task<(ChoreCountingStore Store, Postgres.Cluster.PostgresLeaderElector Elector)> StartNodeAsync(string node)
    {
        var store = new ChoreCountingStore(_cluster.OpenStore());
        var elector = _cluster.Elector(Retry);
        elector.Start();
        var options = new JobEngineOptions
        {
            NodeId = node,
            RescueInterval = TimeSpan.FromMilliseconds(50),
            CleanupInterval = TimeSpan.FromMilliseconds(50),
        };
        var engine = _cluster.Own(new JobEngine(store, options, new JobHandlerRegistry(), leader: elector));
        await engine.StartAsync(CancellationToken.None);
        return (store, elector);
    }

    private sealed class ChoreCountingStore(IJobStore inner) : DelegatingJobStore(inner)
    {
        private int _rescues;
        private int _cleanups;

        public int Rescues => Volatile.Read(ref _rescues);

        public int Cleanups => Volatile.Read(ref _cleanups);

        public override Task<IReadOnlyList<Engine.Jobs.Job>> JobRescueExpiredAsync(DateTimeOffset now, int limit, int maxErrorsKept, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _rescues);
            return base.JobRescueExpiredAsync(now, limit, maxErrorsKept, cancellationToken);
        }

        public override Task<int> JobDeleteFinishedAsync(DateTimeOffset finishedBefore, DateTimeOffset discardedBefore, int limit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _cleanups);
            return base.JobDeleteFinishedAsync(finishedBefore, discardedBefore, limit, cancellationToken);
        }
    }
}
