using GridQueue.Engine.Execution;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Secrets;
using GridQueue.Tasks.Storage;
using GridQueue.Tasks.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// Asks the provider how a running task is going. Progress and the end are stored as changes (with their events);
/// between polls the job snoozes, so a waiting task holds a row and a timer, never a thread. Transient upstream
/// errors only delay the next poll (an upstream Retry-After at most Tasks__MaxRetryAfter, never past the deadline); the
/// task's deadline bounds everything, and at the deadline the upstream job is cancelled where the provider can.
/// </summary>
public sealed partial class PollHandler(
    TaskDriver driver,
    ProviderCatalog providers,
    ApiKeyProtector protector,
    IOptions<TasksOptions> options,
    ILogger<PollHandler> logger) : IJobHandler
{
    private readonly TasksOptions _options = options.Value;

    public Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = context.GetArgs<TaskJobArgs>();
        return TaskTracing.RunAsync(logger, context, args.TaskId, () => HandleAsync(context, args, cancellationToken));
    }

    private async Task<JobOutcome> HandleAsync(JobContext context, TaskJobArgs args, CancellationToken cancellationToken)
    {
        var task = await driver.GetAsync(args.TaskId, cancellationToken).ConfigureAwait(false);
        if (task is not { Status: VideoTaskStatus.Running, UpstreamTaskId: not null } || task.Attempt != args.Attempt)
        {
            return JobOutcome.Completed; // cancelled, retried or finished: nothing left to poll
        }

        if (providers.Find(task.Provider) is not { } provider)
        {
            await driver.FailAsync(task, TaskMessages.ProviderGone(task.Provider), cancellationToken, durability: WriteDurability.Relaxed).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        var now = driver.Time.GetUtcNow();
        var running = now - (task.StartedAt ?? task.CreatedAt);
        var deadline = _options.DeadlineOf(task);
        if (deadline is { } end && now >= end)
        {
            await driver.FailAsync(task, TaskMessages.Deadline(_options.Deadline), cancellationToken, cancelUpstream: true).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        ProviderStatus status;
        try
        {
            status = await provider.GetStatusAsync(new ProviderCallRequest(task.UpstreamTaskId, protector.Unprotect(task.ProtectedApiKey)), cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.Kind != ProviderErrorKind.Permanent)
        {
            LogTransient(task.Id, provider.Name, e.Message);
            // Back off while the upstream is in trouble: twice the usual wait (at most the poll cap), or its
            // Retry-After when that is longer (at most Tasks__MaxRetryAfter), so an outage is not met with a poll
            // storm; never past the deadline, where the next run stops the task.
            var usual = _options.NextPollDelay(running);
            var wait = TimeSpan.FromTicks(Math.Max(usual.Ticks, Math.Min(usual.Ticks * 2, _options.PollMaxInterval.Ticks)));
            return JobOutcome.Snooze(_options.BoundWait(e.RetryAfter is { } retryAfter && retryAfter > wait ? retryAfter : wait, now, deadline));
        }
        catch (ProviderException e)
        {
            await FailAsync(task, $"The provider refused the status query: {e.Message}", cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            LogKeyUnreadable(task.Id, e.Message);
            await driver.FailAsync(task, TaskMessages.ApiKeyUnreadable, cancellationToken, cancelUpstream: true).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        switch (status.State)
        {
            case UpstreamState.Succeeded when !string.IsNullOrWhiteSpace(status.VideoUrl):
                await driver.ChangeAsync(task.Id, task.Attempt, (t, at) => TaskRules.Succeed(t, status.VideoUrl, at), cancellationToken, durability: WriteDurability.Relaxed).ConfigureAwait(false);
                return JobOutcome.Completed;
            case UpstreamState.Succeeded:
                await FailAsync(task, "The provider reported success without a video URL.", cancellationToken).ConfigureAwait(false);
                return JobOutcome.Completed;
            case UpstreamState.Failed:
                await FailAsync(task, string.IsNullOrWhiteSpace(status.FailReason) ? "The provider reported a failure without a reason." : status.FailReason, cancellationToken).ConfigureAwait(false);
                return JobOutcome.Completed;
            default:
                if (status.Progress > task.Progress)
                {
                    await driver.ChangeAsync(task.Id, task.Attempt, (t, at) => TaskRules.Advance(t, status.Progress, at), cancellationToken, durability: WriteDurability.Relaxed).ConfigureAwait(false);
                }

                return JobOutcome.Snooze(_options.BoundWait(_options.NextPollDelay(running), now, deadline, capAtMaxRetryAfter: false));
        }
    }

    private Task<VideoTask?> FailAsync(VideoTask task, string message, CancellationToken cancellationToken) =>
        driver.FailAsync(task, message, cancellationToken, durability: WriteDurability.Relaxed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId}: status query to {Provider} failed for now ({Reason}); polling again later.")]
    private partial void LogTransient(string taskId, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: the user's upstream key could not be decrypted ({Reason}); the task fails.")]
    private partial void LogKeyUnreadable(string taskId, string reason);
}
