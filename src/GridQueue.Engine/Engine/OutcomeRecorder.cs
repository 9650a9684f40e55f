using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Engine;

/// <summary>Turns a handler's outcome into the state change to store.</summary>
internal sealed class OutcomeRecorder(JobEngineOptions options, RetryPolicy retryPolicy)
{
    public JobFinalization ToFinalization(Job job, string node, JobOutcome outcome, DateTimeOffset now)
    {
        JobFinalization Change(JobState state, DateTimeOffset? scheduledAt = null, string? error = null, bool giveBack = false) =>
            new(job.Id, node, job.Claims, state, now, scheduledAt, error is null ? null : AppendError(job, error, now), giveBack);

        return outcome.Kind switch
        {
            JobOutcomeKind.Completed => Change(JobState.Completed),
            JobOutcomeKind.Snoozed => Change(JobState.Scheduled, now + (outcome.Delay ?? TimeSpan.Zero), giveBack: true),
            JobOutcomeKind.Cancelled => Change(JobState.Cancelled, error: outcome.Message is { } reason ? $"cancelled: {reason}" : null),
            JobOutcomeKind.Discarded => Change(JobState.Discarded, error: outcome.Message),
            JobOutcomeKind.Failed when job.Attempt >= job.MaxAttempts => Change(JobState.Discarded, error: outcome.Message),
            JobOutcomeKind.Failed => Change(
                JobState.Retryable, now + (outcome.Delay ?? retryPolicy.NextDelay(job.Attempt)), outcome.Message),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, "Unknown outcome."),
        };
    }

    private List<JobError> AppendError(Job job, string message, DateTimeOffset now)
    {
        var errors = new List<JobError>(job.Errors) { new(job.Attempt, now, message) };
        var excess = errors.Count - options.MaxErrorsKept;
        return excess > 0 ? errors.GetRange(excess, options.MaxErrorsKept) : errors;
    }
}
