namespace GridQueue.Simulator;

/// <summary>
/// One accepted submit. Nothing runs in the background: the status at any moment follows from the submit time, the
/// run time and the fate decided at submit, so a paused or restarted poller sees a consistent history.
/// </summary>
public sealed class SimulatedTask
{
    /// <summary>The share of the run time spent as NOT_START, right after the submit.</summary>
    public const double NotStartFraction = 0.05;

    /// <summary>The share of the run time after which the task leaves QUEUED and starts.</summary>
    public const double QueuedFraction = 0.10;

    /// <summary>The reason a failed task reports; moderation after most of the work is the common real case.</summary>
    public const string FailureReason = "content moderation: the simulated upstream rejected the output";

    public required string Id { get; init; }

    public required string Prompt { get; init; }

    public required string Model { get; init; }

    /// <summary>How many images came with the submit (image-to-video); the images themselves are not kept.</summary>
    public int ImageCount { get; init; }

    public string? AspectRatio { get; init; }

    public bool Hd { get; init; }

    /// <summary>The clip length the caller asked for, as sent; it does not change the simulated run time.</summary>
    public string? ClipDuration { get; init; }

    public string? NotifyHook { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Time from submit to the end.</summary>
    public required TimeSpan RunTime { get; init; }

    /// <summary>The progress (90..99) at which the task fails; null when it succeeds.</summary>
    public int? FailAtProgress { get; init; }

    public bool WillFail => FailAtProgress is not null;

    private int statusQueries;

    /// <summary>How many times this task's status was asked for; a caller's poll count, for tests.</summary>
    public int StatusQueries => Volatile.Read(ref statusQueries);

    /// <summary>When the task ends: its failure at <see cref="FailAtProgress"/>, or the end of its run time.</summary>
    public DateTimeOffset EndsAt => FailAtProgress is { } failAt
        ? SubmittedAt + (RunTime * QueuedFraction) + ((RunTime - (RunTime * QueuedFraction)) * (failAt / 100.0))
        : SubmittedAt + RunTime;

    internal void CountStatusQuery() => Interlocked.Increment(ref statusQueries);

    /// <summary>The task as a poll at <paramref name="now"/> sees it.</summary>
    public SimulatedTaskView ViewAt(DateTimeOffset now)
    {
        var elapsed = (now - SubmittedAt) / RunTime;
        if (elapsed < NotStartFraction)
        {
            return new SimulatedTaskView(SimulatedTaskStatus.NotStart, 0, null, null, "");
        }

        if (elapsed < QueuedFraction)
        {
            return new SimulatedTaskView(SimulatedTaskStatus.Queued, 0, null, null, "");
        }

        var startedAt = SubmittedAt + (RunTime * QueuedFraction);
        var working = RunTime - (RunTime * QueuedFraction);
        var progress = (int)Math.Floor((elapsed - QueuedFraction) / (1 - QueuedFraction) * 100);
        if (FailAtProgress is { } failAt && progress >= failAt)
        {
            var failedAt = startedAt + (working * (failAt / 100.0));
            return new SimulatedTaskView(SimulatedTaskStatus.Failure, failAt, startedAt, failedAt, FailureReason);
        }

        if (elapsed >= 1)
        {
            return new SimulatedTaskView(SimulatedTaskStatus.Success, 100, startedAt, SubmittedAt + RunTime, "");
        }

        // A running task never shows 0 % (it has started) nor 100 % (that belongs to SUCCESS).
        return new SimulatedTaskView(SimulatedTaskStatus.InProgress, Math.Clamp(progress, 1, 99), startedAt, null, "");
    }
}
