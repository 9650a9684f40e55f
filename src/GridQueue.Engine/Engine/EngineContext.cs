using System.Collections.Concurrent;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace GridQueue.Engine.Engine;

/// <summary>What the engine's small services share: settings, store, clock, this node's leases.</summary>
internal sealed class EngineContext
{
    public EngineContext(IJobStore store, JobEngineOptions options, TimeProvider time, ILogger logger, ILeaderElector leader)
    {
        Store = store;
        Leader = leader;
        Options = options;
        Time = time;
        Logger = logger;
        Node = options.NodeId ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Random.Shared.Next(0x10000):x4}";
        Queues = [.. options.EffectiveQueues.Select(q => new QueueLimit(q.Key, q.Value.MaxRunning))];
        QueueNames = [.. Queues.Select(q => q.Queue)];
        HasLimits = options.MaxRunningPerFairnessKey is not null || Queues.Any(q => q.MaxRunning is not null);
    }

    public IJobStore Store { get; }

    /// <summary>Whether this node runs the whole-database chores (rescue, cleanup) now.</summary>
    public ILeaderElector Leader { get; }
    public JobEngineOptions Options { get; }
    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public string Node { get; }
    public IReadOnlyList<QueueLimit> Queues { get; }
    public IReadOnlyList<string> QueueNames { get; }

    /// <summary>True when a queue or fairness-key limit is configured, counted in the database across nodes.</summary>
    public bool HasLimits { get; }

    /// <summary>Jobs this node holds a lease on, from claim until their outcome is stored or dropped.</summary>
    public ConcurrentDictionary<long, RunningJob> Leased { get; } = new();

    /// <summary>
    /// Forgets <paramref name="run"/>'s lease, and only that run's: the same job may already have been claimed
    /// again on this node (after a snooze, or after this run's lease lapsed), and that newer run stays tracked.
    /// </summary>
    public void Forget(RunningJob run) => Leased.TryRemove(KeyValuePair.Create(run.Job.Id, run));

    /// <summary>Set by the engine once its producer exists (the gauge of active handlers reads it).</summary>
    public EngineMetrics Metrics { get; set; } = null!;

    /// <summary>Wakes the producer: new work, a free slot, or a finished job that frees a limit.</summary>
    public WakeSignal ProducerWake { get; } = new();

    /// <summary>A duration spread ±20 % so that nodes started together do not poll in lockstep.</summary>
    public static TimeSpan Jittered(TimeSpan interval) =>
        TimeSpan.FromTicks((long)(interval.Ticks * (0.8 + (Random.Shared.NextDouble() * 0.4))));
}
