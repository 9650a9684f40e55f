using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Engine;

/// <summary>Turns a handler's outcome into the state change to store.</summary>
internal sealed class OutcomeRecorder(JobEngineOptions options, RetryPolicy retryPolicy)
{
    /// <summary>
    /// The latest time a job is ever scheduled for. A day short of the calendar's end, so that a store or a reader
    /// adding a little to it (a lease, a poll interval) cannot overflow either.
    /// </summary>
    internal static readonly DateTimeOffset LatestScheduledAt = DateTimeOffset.MaxValue - TimeSpan.FromDays(1);

    public JobFinalization ToFinalization(Job job, string node, JobOutcome outcome, DateTimeOffset now)
    {
        JobFinalization Change(JobState state, DateTimeOffset? scheduledAt = null, string? error = null, bool giveBack = false) =>
            new(job.Id, node, job.Claims, state, now, scheduledAt, error is null ? null : AppendError(job, error, now), giveBack);

        return outcome.Kind switch
        {
            JobOutcomeKind.Completed => Change(JobState.Completed),
            JobOutcomeKind.Snoozed => Change(JobState.Scheduled, After(now, outcome.Delay ?? TimeSpan.Zero), giveBack: true),
            JobOutcomeKind.Cancelled => Change(JobState.Cancelled, error: outcome.Message is { } reason ? $"cancelled: {reason}" : null),
            JobOutcomeKind.Discarded => Change(JobState.Discarded, error: outcome.Message),
            JobOutcomeKind.Failed when job.Attempt >= job.MaxAttempts => Change(JobState.Discarded, error: outcome.Message),
            JobOutcomeKind.Failed => Change(
                JobState.Retryable, After(now, outcome.Delay ?? retryPolicy.NextDelay(job.Attempt)), outcome.Message),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, "Unknown outcome."),
        };
    }

    /// <summary>
    /// <paramref name="now"/> plus <paramref name="delay"/> cut to <see cref="JobOutcome.MaxDelay"/>, never later than
    /// <see cref="LatestScheduledAt"/>: a handler's delay (often an upstream's Retry-After) must not be able to make
    /// the addition overflow, which would leave the run without a stored outcome.
    /// </summary>
    internal static DateTimeOffset After(DateTimeOffset now, TimeSpan delay)
    {
        var capped = delay > JobOutcome.MaxDelay ? JobOutcome.MaxDelay : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        return now > LatestScheduledAt - capped ? LatestScheduledAt : now + capped;
    }

    private List<JobError> AppendError(Job job, string message, DateTimeOffset now)
    {
        var errors = new List<JobError>(job.Errors) { new(job.Attempt, now, message) };
        var excess = errors.Count - options.MaxErrorsKept;
        return excess > 0 ? errors.GetRange(excess, options.MaxErrorsKept) : errors;
    }
}
