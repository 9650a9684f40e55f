namespace GridQueue.Engine.Options;

/// <summary>
/// Settings of one engine instance (configuration section "GridQueue:Engine"). Limits that span nodes
/// (queue and fairness-key limits) are enforced in the database and should be the same on every node.
/// </summary>
public sealed class JobEngineOptions
{
    public const string SectionName = "GridQueue:Engine";

    public const int DefaultMaxWorkers = 100;
    public const int DefaultMaxAttemptsValue = 25;
    public const int DefaultMaxErrorsKept = 10;
    public static readonly TimeSpan DefaultClaimAheadMaxWait = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultCancelCheckInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultRescueInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromHours(1);
    public static readonly TimeSpan DefaultShutdownGracePeriod = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultFinishedJobRetention = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultDiscardedJobRetention = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultCleanupInterval = TimeSpan.FromMinutes(5);

    /// <summary>Names this node in leases. Default: host name, process id and a random suffix.</summary>
    public string? NodeId { get; set; }

    /// <summary>Size of the worker pool: at most this many handlers run at once on this node.</summary>
    public int MaxWorkers { get; set; } = DefaultMaxWorkers;

    /// <summary>
    /// At most this many jobs claimed beyond the free handler slots and held ready, so that a slot that frees starts
    /// the next job at once and one claim serves many jobs. How many the engine claims ahead adapts: it grows while
    /// slots find nothing ready and halves when a job waits ready longer than <see cref="ClaimAheadMaxWait"/>, so slow
    /// handlers make it hold back next to nothing; never under queue or fairness-key limits. 0 turns it off.
    /// Null (default): twice <see cref="MaxWorkers"/>, at least <see cref="DefaultMinClaimAhead"/> and at most 1,000.
    /// The floor matters for small pools: a claim is a round trip and a transaction whatever its size, and a pool of
    /// one handler capped at two jobs ahead paid one for every three quick jobs (docs/benchmarks.md).
    /// </summary>
    public int? ClaimAhead { get; set; }

    /// <summary>The least the default <see cref="ClaimAhead"/> allows, whatever the pool's size.</summary>
    public const int DefaultMinClaimAhead = 256;

    /// <summary>
    /// The longest a job claimed ahead should wait ready, about one claim's round trip: one that waits longer was
    /// claimed too early (it could have run on another node), and the engine claims less ahead.
    /// </summary>
    public TimeSpan ClaimAheadMaxWait { get; set; } = DefaultClaimAheadMaxWait;

    /// <summary>
    /// The queues this node works, each with an optional limit of running jobs across all nodes.
    /// Default: one queue named "default" without a limit.
    /// </summary>
    public Dictionary<string, QueueOptions> Queues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Across all nodes, at most this many running jobs share one fairness key. Null: no limit.</summary>
    public int? MaxRunningPerFairnessKey { get; set; }

    /// <summary>Attempts a job gets when its insert names none.</summary>
    public int DefaultMaxAttempts { get; set; } = DefaultMaxAttemptsValue;

    /// <summary>How many of a job's most recent errors are kept on it.</summary>
    public int MaxErrorsKept { get; set; } = DefaultMaxErrorsKept;

    /// <summary>How long a claim holds a job without renewal. A heartbeat renews it every third of this.</summary>
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    /// <summary>How often a node asks the database whether a job it runs was cancelled elsewhere.</summary>
    public TimeSpan CancelCheckInterval { get; set; } = DefaultCancelCheckInterval;

    /// <summary>Fallback poll for due jobs when no wake-up arrives (inserts on this node wake the producer at once).</summary>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>How often expired leases are looked for.</summary>
    public TimeSpan RescueInterval { get; set; } = DefaultRescueInterval;

    /// <summary>Back-off after the first failure; doubles with each attempt, with ±20 % jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = DefaultRetryBaseDelay;

    /// <summary>Ceiling of the exponential back-off.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = DefaultRetryMaxDelay;

    /// <summary>On stop, running handlers get this long to finish; the rest are left to lease expiry.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = DefaultShutdownGracePeriod;

    /// <summary>Completed and cancelled jobs are deleted this long after they finished.</summary>
    public TimeSpan FinishedJobRetention { get; set; } = DefaultFinishedJobRetention;

    /// <summary>Discarded jobs (dead letters) are deleted this long after they were discarded.</summary>
    public TimeSpan DiscardedJobRetention { get; set; } = DefaultDiscardedJobRetention;

    /// <summary>How often the maintenance loop deletes expired finished jobs.</summary>
    public TimeSpan CleanupInterval { get; set; } = DefaultCleanupInterval;

    /// <summary><see cref="ClaimAhead"/> with its default applied.</summary>
    internal int EffectiveClaimAhead => ClaimAhead ?? Math.Min(Math.Max(2 * MaxWorkers, DefaultMinClaimAhead), 1000);

    /// <summary>The queues to work, with the default queue when none is configured.</summary>
    internal IReadOnlyDictionary<string, QueueOptions> EffectiveQueues =>
        Queues.Count > 0 ? Queues : new Dictionary<string, QueueOptions> { ["default"] = new() };
}

/// <summary>Settings of one queue.</summary>
public sealed class QueueOptions
{
    /// <summary>At most this many jobs of the queue run at once across all nodes. Null: no limit but the pool.</summary>
    public int? MaxRunning { get; set; }
}
