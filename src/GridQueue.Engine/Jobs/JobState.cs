namespace GridQueue.Engine.Jobs;

/// <summary>
/// The states a job moves through. docs/state_machine.md draws every transition.
/// Waiting states (<see cref="Available"/>, <see cref="Scheduled"/>, <see cref="Retryable"/>) are claimable once
/// their scheduled time has come; finished states (<see cref="Completed"/>, <see cref="Cancelled"/>,
/// <see cref="Discarded"/>) never change again except by an explicit re-queue.
/// </summary>
public enum JobState
{
    /// <summary>Ready to run now.</summary>
    Available,

    /// <summary>Waiting for a future time: inserted with a delay, or snoozed by its handler.</summary>
    Scheduled,

    /// <summary>Claimed by a node and held under a lease.</summary>
    Running,

    /// <summary>Failed an attempt; waits for its back-off to pass, then runs again.</summary>
    Retryable,

    /// <summary>Its handler finished the work.</summary>
    Completed,

    /// <summary>Cancelled by a caller or by its handler.</summary>
    Cancelled,

    /// <summary>Failed permanently or ran out of attempts: a dead letter, kept for inspection and re-queue.</summary>
    Discarded,
}

/// <summary>Conversions between <see cref="JobState"/> and its stored name, and state predicates.</summary>
public static class JobStates
{
    /// <summary>The name a state is stored under (lower case, stable across versions).</summary>
    public static string ToStorageName(this JobState state) => state switch
    {
        JobState.Available => "available",
        JobState.Scheduled => "scheduled",
        JobState.Running => "running",
        JobState.Retryable => "retryable",
        JobState.Completed => "completed",
        JobState.Cancelled => "cancelled",
        JobState.Discarded => "discarded",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };

    /// <summary>Parses a stored state name.</summary>
    public static JobState Parse(string name) => name switch
    {
        "available" => JobState.Available,
        "scheduled" => JobState.Scheduled,
        "running" => JobState.Running,
        "retryable" => JobState.Retryable,
        "completed" => JobState.Completed,
        "cancelled" => JobState.Cancelled,
        "discarded" => JobState.Discarded,
        _ => throw new FormatException($"'{name}' is not a job state."),
    };

    /// <summary>True for states that never change again on their own.</summary>
    public static bool IsFinished(this JobState state) =>
        state is JobState.Completed or JobState.Cancelled or JobState.Discarded;

    /// <summary>True for states a producer may claim once the scheduled time has come.</summary>
    public static bool IsWaiting(this JobState state) =>
        state is JobState.Available or JobState.Scheduled or JobState.Retryable;
}
