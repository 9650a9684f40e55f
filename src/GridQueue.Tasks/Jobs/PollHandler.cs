using GridQueue.Engine.Execution;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Secrets;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// Asks the provider how a running task is going. Progress and the end are stored as changes (with their events);
/// between polls the job snoozes, so a waiting task holds a row and a timer, never a thread. Transient upstream
/// errors only delay the next poll; the task's deadline bounds everything.
/// </summary>
public sealed partial class PollHandler(
    TaskDriver driver,
    ProviderCatalog providers,
    ApiKeyProtector protector,
    IOptions<TasksOptions> options,
    ILogger<PollHandler> logger) : IJobHandler
{
    private readonly TasksOptions _options = options.Value;

    public async Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = context.GetArgs<TaskJobArgs>();
        var task = await driver.GetAsync(args.TaskId, cancellationToken).ConfigureAwait(false);
        if (task is not { Status: VideoTaskStatus.Running, UpstreamTaskId: not null } || task.Attempt != args.Attempt)
        {
            return JobOutcome.Completed; // cancelled, retried or finished: nothing left to poll
        }

        var now = driver.Time.GetUtcNow();
        var running = now - (task.StartedAt ?? task.CreatedAt);
        if (running >= _options.Deadline)
        {
            await FailAsync(task, $"The provider did not finish the video within {Describe(_options.Deadline)}; the task was stopped.", cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        var provider = providers.Get(task.Provider);
        ProviderStatus status;
        try
        {
            status = await provider.GetStatusAsync(new ProviderCallRequest(task.UpstreamTaskId, protector.Unprotect(task.ProtectedApiKey)), cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.Kind != ProviderErrorKind.Permanent)
        {
            LogTransient(task.Id, provider.Name, e.Message);
            // Back off while the upstream is in trouble: twice the usual wait (at most the poll cap), or its
            // Retry-After when that is longer, so an outage is not met with a poll storm.
            var usual = _options.NextPollDelay(running);
            var wait = TimeSpan.FromTicks(Math.Max(usual.Ticks, Math.Min(usual.Ticks * 2, _options.PollMaxInterval.Ticks)));
            return JobOutcome.Snooze(e.RetryAfter is { } retryAfter && retryAfter > wait ? retryAfter : wait);
        }
        catch (ProviderException e)
        {
            await FailAsync(task, $"The provider refused the status query: {e.Message}", cancellationToken).ConfigureAwait(false);
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

                return JobOutcome.Snooze(_options.NextPollDelay(running));
        }
    }

    private Task<VideoTask?> FailAsync(VideoTask task, string message, CancellationToken cancellationToken) =>
        driver.ChangeAsync(task.Id, task.Attempt, (t, now) => TaskRules.Fail(t, message, now), cancellationToken, durability: WriteDurability.Relaxed);

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0.#} s";

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId}: status query to {Provider} failed for now ({Reason}); polling again later.")]
    private partial void LogTransient(string taskId, string provider, string reason);
}
