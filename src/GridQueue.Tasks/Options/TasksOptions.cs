using System.ComponentModel.DataAnnotations;

namespace GridQueue.Tasks.Options;

/// <summary>How tasks are driven (configuration section "Tasks").</summary>
public sealed class TasksOptions
{
    public const string SectionName = "Tasks";
    public const int DefaultMaxRunningPerUser = 5;
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultPollMaxInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultEventRetention = TimeSpan.FromHours(48);
    public static readonly TimeSpan DefaultIdempotencyWindow = TimeSpan.FromHours(24);
    public const int DefaultSubmitMaxAttempts = 8;

    /// <summary>At most this many of one user's tasks run upstream at once; the rest wait queued. 0: no limit.</summary>
    [Range(0, 100_000)]
    public int MaxRunningPerUser { get; set; } = DefaultMaxRunningPerUser;

    /// <summary>Per provider name, at most this many tasks run upstream at once (across all users). Absent: no limit.</summary>
    public Dictionary<string, int> MaxRunningPerProvider { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Time between status polls of a running task (the first comes this long after the submit).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>
    /// Poll back-off: the interval grows by (factor - 1) × the time the task has been running, up to
    /// <see cref="PollMaxInterval"/>. 1 (the default) polls at a steady <see cref="PollInterval"/>; 2 roughly doubles
    /// the interval after each poll (2 s, 4 s, 8 s ...), as the upstream format advises for long jobs.
    /// </summary>
    [Range(1.0, 10.0)]
    public double PollBackoffFactor { get; set; } = 1.0;

    /// <summary>The poll interval never grows past this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollMaxInterval { get; set; } = DefaultPollMaxInterval;

    /// <summary>
    /// The whole life of one attempt, from the moment it starts running (its submit included) to its end: a task
    /// still running this long after it started fails with a message saying so. Time spent queued behind a limit
    /// does not count.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Deadline { get; set; } = DefaultDeadline;

    /// <summary>
    /// How often the sweeper looks for tasks that cannot end by themselves (deadline passed, driving job finished or
    /// given up) and for queued tasks that a free slot should start. Reads only, unless it finds one.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = DefaultSweepInterval;

    /// <summary>
    /// The longest an upstream's Retry-After is honoured for; a longer one (or a date far ahead) waits this long.
    /// A wait never reaches past the task's deadline either.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = DefaultMaxRetryAfter;

    /// <summary>Attempts of one submit against transient upstream errors (back-off between them) before the task fails.</summary>
    [Range(1, 100)]
    public int SubmitMaxAttempts { get; set; } = DefaultSubmitMaxAttempts;

    /// <summary>Events are kept at least this long for reconnecting clients (the contract promises 24 h).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan EventRetention { get; set; } = DefaultEventRetention;

    /// <summary>An Idempotency-Key returns the same task for this long.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = DefaultIdempotencyWindow;

    /// <summary>When the current attempt of <paramref name="task"/> runs out of time; null while it has not started.</summary>
    public DateTimeOffset? DeadlineOf(Model.VideoTask task) =>
        task is { Status: Model.VideoTaskStatus.Running, StartedAt: { } started } ? started + Deadline : null;

    /// <summary>
    /// A wait asked for by the upstream (or our own back-off) cut to <see cref="MaxRetryAfter"/> and to the time
    /// left before <paramref name="deadline"/>, so no job sleeps past the moment its task must end.
    /// </summary>
    /// <param name="capAtMaxRetryAfter">False for our own poll interval, which has its own cap (<see cref="PollMaxInterval"/>).</param>
    public TimeSpan BoundWait(TimeSpan wait, DateTimeOffset now, DateTimeOffset? deadline, bool capAtMaxRetryAfter = true)
    {
        var bounded = wait < TimeSpan.Zero ? TimeSpan.Zero : capAtMaxRetryAfter && wait > MaxRetryAfter ? MaxRetryAfter : wait;
        if (deadline is { } end)
        {
            var left = end - now;
            if (left < bounded)
            {
                bounded = left < TimeSpan.Zero ? TimeSpan.Zero : left;
            }
        }

        return bounded;
    }

    /// <summary>The next poll delay for a task running for <paramref name="running"/>.</summary>
    public TimeSpan NextPollDelay(TimeSpan running)
    {
        var grown = PollInterval.TotalMilliseconds + ((PollBackoffFactor - 1.0) * Math.Max(0, running.TotalMilliseconds));
        return TimeSpan.FromMilliseconds(Math.Min(grown, Math.Max(PollInterval.TotalMilliseconds, PollMaxInterval.TotalMilliseconds)));
    }
}
