namespace GridQueue.Engine.Execution;

/// <summary>How a run ended, as a handler reports it.</summary>
public enum JobOutcomeKind
{
    Completed,
    Failed,
    Snoozed,
    Cancelled,
    Discarded,
}

/// <summary>
/// The result a handler returns. A thrown exception counts as <see cref="Failed(string, TimeSpan?)"/> with the
/// exception's message.
/// </summary>
public sealed record JobOutcome
{
    private JobOutcome(JobOutcomeKind kind, string? message, TimeSpan? delay)
    {
        Kind = kind;
        Message = message;
        Delay = delay;
    }

    /// <summary>
    /// The longest wait the engine honours from a handler (a snooze, or a failure's retry delay); a longer one is cut
    /// to this. Delays often come from an upstream's Retry-After, which may name any time up to the year 9999: without
    /// a cap such a job would sleep for decades (or, near the calendar's end, not be schedulable at all).
    /// </summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(365);

    public JobOutcomeKind Kind { get; }

    /// <summary>Why the job failed, was discarded or cancelled.</summary>
    public string? Message { get; }

    /// <summary>
    /// For a snooze: how long to wait. For a failure: the handler's own retry delay (e.g. Retry-After), if any. As
    /// given; the engine waits at most <see cref="MaxDelay"/>.
    /// </summary>
    public TimeSpan? Delay { get; }

    /// <summary>The work is done.</summary>
    public static JobOutcome Completed { get; } = new(JobOutcomeKind.Completed, null, null);

    /// <summary>
    /// A transient failure: retried after exponential back-off with jitter, or after <paramref name="retryAfter"/>
    /// (at most <see cref="MaxDelay"/>) when given; discarded once no attempt is left.
    /// </summary>
    public static JobOutcome Failed(string message, TimeSpan? retryAfter = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (retryAfter is { } d && d < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), d, "A retry delay cannot be negative.");
        }

        return new(JobOutcomeKind.Failed, message, retryAfter);
    }

    /// <summary>Not done yet: run again after <paramref name="delay"/> (at most <see cref="MaxDelay"/>) without using up an attempt.</summary>
    public static JobOutcome Snooze(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A snooze cannot be negative.");
        }

        return new(JobOutcomeKind.Snoozed, null, delay);
    }

    /// <summary>Stop for good, as cancelled.</summary>
    public static JobOutcome Cancel(string? reason = null) => new(JobOutcomeKind.Cancelled, reason, null);

    /// <summary>A permanent error: no retry. The job stays inspectable and can be re-queued.</summary>
    public static JobOutcome Discard(string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new(JobOutcomeKind.Discarded, message, null);
    }
}
