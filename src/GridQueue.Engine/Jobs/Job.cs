namespace GridQueue.Engine.Jobs;

/// <summary>A job as stored. Immutable snapshot: read it again to see later changes.</summary>
public sealed record Job
{
    public required long Id { get; init; }
    public required string Kind { get; init; }
    public required string Queue { get; init; }

    /// <summary>The handler's arguments, as JSON text.</summary>
    public required string Args { get; init; }

    /// <summary>Lower runs first (0 to 9).</summary>
    public required int Priority { get; init; }

    public required JobState State { get; init; }

    /// <summary>How many times the job has been claimed to run, including a run in progress. A snooze gives one back.</summary>
    public required int Attempt { get; init; }

    public required int MaxAttempts { get; init; }

    /// <summary>
    /// How many times the job was ever claimed. Unlike <see cref="Attempt"/> it is never given back or reset, so
    /// (<see cref="LeaseOwner"/>, <see cref="Claims"/>) names one lease: an outcome from an older run never matches.
    /// </summary>
    public int Claims { get; init; }
    public required DateTimeOffset ScheduledAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? AttemptedAt { get; init; }
    public DateTimeOffset? FinalizedAt { get; init; }

    /// <summary>The node holding the job's lease while it runs.</summary>
    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>Set when a cancel was asked for while the job was running.</summary>
    public DateTimeOffset? CancelRequestedAt { get; init; }

    /// <summary>De-duplicates among unfinished jobs.</summary>
    public string? UniqueKey { get; init; }

    /// <summary>Jobs sharing a fairness key share one limit of running jobs (for example one per user).</summary>
    public string? FairnessKey { get; init; }

    /// <summary>The most recent failures, oldest first.</summary>
    public IReadOnlyList<JobError> Errors { get; init; } = [];
}
