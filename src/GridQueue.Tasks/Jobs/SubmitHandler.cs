using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Secrets;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// Sends a task to its provider, store-before-submit: the task is marked running with the submit in flight (and
/// committed) before the provider is called, and the upstream id is stored with the first poll job in one
/// transaction. A run that finds a submit still in flight is a re-run after a crash or lost lease: the outcome is
/// unknown, so it resubmits only to a provider that honours idempotency keys, and otherwise fails the task saying
/// so, never paying for a second video silently.
/// </summary>
public sealed partial class SubmitHandler(
    TaskDriver driver,
    ITaskStore store,
    TaskChangeSignal signal,
    ProviderCatalog providers,
    ApiKeyProtector protector,
    JobEngine engine,
    IOptions<TasksOptions> options,
    ILogger<SubmitHandler> logger) : IJobHandler
{
    public const string OutcomeUnknownMessage =
        "The submission to the provider was interrupted and its outcome is unknown. It was not sent again, to avoid " +
        "paying for a second video; retry the task to submit it again.";

    private readonly TasksOptions _options = options.Value;

    public async Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = context.GetArgs<TaskJobArgs>();
        var task = await driver.GetAsync(args.TaskId, cancellationToken).ConfigureAwait(false);
        if (task is null || task.Attempt != args.Attempt || task.Status.IsTerminal())
        {
            return JobOutcome.Completed;
        }

        var provider = providers.Get(task.Provider);
        switch (task)
        {
            case { Status: VideoTaskStatus.Queued }:
                var (started, slotFree) = await StartIfSlotFreeAsync(task, cancellationToken).ConfigureAwait(false);
                if (!slotFree)
                {
                    return JobOutcome.Snooze(_options.SlotWaitInterval);
                }

                task = started;
                break;
            case { SubmitState: SubmitState.NotSent }:
                task = await driver.ChangeAsync(task.Id, args.Attempt, TaskRules.SubmitAgain, cancellationToken, visible: false).ConfigureAwait(false);
                break;
            case { SubmitState: SubmitState.InFlight } when !provider.AcceptsIdempotencyKey:
                LogOutcomeUnknown(task.Id, provider.Name);
                await FailAsync(task, OutcomeUnknownMessage, cancellationToken).ConfigureAwait(false);
                return JobOutcome.Completed;
            case { SubmitState: SubmitState.InFlight }:
                break; // resubmitted below with the same idempotency key: the provider returns the first task
            default:
                return JobOutcome.Completed; // accepted already: its poll job was stored with the upstream id
        }

        if (task is null)
        {
            return JobOutcome.Completed; // cancelled or changed while we looked
        }

        return await SubmitAsync(context, provider, task, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JobOutcome> SubmitAsync(JobContext context, IVideoProvider provider, VideoTask task, CancellationToken cancellationToken)
    {
        var request = new ProviderSubmitRequest(
            new VideoSpec(task.Model, task.Prompt, task.AspectRatio, task.Duration, task.Hd, task.Images),
            $"{task.Id}:{task.Attempt}",
            protector.Unprotect(task.ProtectedApiKey));
        ProviderSubmitResult result;
        try
        {
            result = await provider.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.Kind == ProviderErrorKind.Transient)
        {
            if (context.IsLastAttempt)
            {
                await FailAsync(task, $"The provider could not be reached after {context.Job.Attempt} attempts: {e.Message}", cancellationToken).ConfigureAwait(false);
                return JobOutcome.Completed;
            }

            // Nothing was made upstream: mark the submit as not sent, so the retry may send it again.
            await driver.ChangeAsync(task.Id, task.Attempt, TaskRules.SubmitNotSent, cancellationToken, visible: false).ConfigureAwait(false);
            return JobOutcome.Failed(e.Message, e.RetryAfter);
        }
        catch (ProviderException e) when (e.Kind == ProviderErrorKind.OutcomeUnknown && provider.AcceptsIdempotencyKey && !context.IsLastAttempt)
        {
            return JobOutcome.Failed(e.Message, e.RetryAfter); // the same key is sent again
        }
        catch (ProviderException e) when (e.Kind == ProviderErrorKind.OutcomeUnknown)
        {
            LogOutcomeUnknown(task.Id, provider.Name);
            await FailAsync(task, $"{OutcomeUnknownMessage} ({e.Message})", cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }
        catch (ProviderException e)
        {
            await FailAsync(task, $"The provider refused the task: {e.Message}", cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        var firstPoll = driver.Time.GetUtcNow() + _options.PollInterval;
        var accepted = await driver.ChangeAsync(
            task.Id,
            task.Attempt,
            (t, now) => TaskRules.Accept(t, result.UpstreamTaskId, now),
            cancellationToken,
            async (scope, changed) =>
            {
                var poll = await engine.InsertAsync(TaskJobs.NewPoll(changed.Id, changed.Attempt, firstPoll), scope.Transaction, cancellationToken).ConfigureAwait(false);
                return changed with { JobId = poll.Job.Id };
            }).ConfigureAwait(false);

        if (accepted is null && provider.CanCancel)
        {
            // The task was cancelled while the submit was on its way: stop the upstream job too.
            var current = await store.TaskGetAsync(task.Id, CancellationToken.None).ConfigureAwait(false);
            if (current is { Status: VideoTaskStatus.Cancelled })
            {
                await engine.InsertAsync(TaskJobs.NewCancelUpstream(task.Id, result.UpstreamTaskId), CancellationToken.None).ConfigureAwait(false);
            }
        }

        return JobOutcome.Completed;
    }

    /// <summary>
    /// queued → running when the user and the provider are under their limits. The count and the change are one
    /// transaction, so two submits cannot both take the last slot.
    /// </summary>
    private async Task<(VideoTask? Task, bool SlotFree)> StartIfSlotFreeAsync(VideoTask task, CancellationToken cancellationToken)
    {
        var perProvider = _options.MaxRunningPerProvider.GetValueOrDefault(task.Provider);
        VideoTask? started;
        await using (var scope = await store.BeginAsync(WriteDurability.Durable, cancellationToken).ConfigureAwait(false))
        {
            var now = driver.Time.GetUtcNow();
            var current = await scope.TaskGetAsync(task.Id, cancellationToken).ConfigureAwait(false);
            if (current is null || current.Attempt != task.Attempt)
            {
                return (null, true);
            }

            if ((_options.MaxRunningPerUser > 0
                    && await scope.TaskCountRunningAsync(task.UserId, null, cancellationToken).ConfigureAwait(false) >= _options.MaxRunningPerUser)
                || (perProvider > 0
                    && await scope.TaskCountRunningAsync(null, task.Provider, cancellationToken).ConfigureAwait(false) >= perProvider))
            {
                return (null, false);
            }

            started = await TaskChanges.ApplyAsync(scope, current, TaskRules.Start(current, now), now, cancellationToken).ConfigureAwait(false);
            if (started is null)
            {
                return (null, true);
            }

            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        signal.Raise();
        return (started, true);
    }

    private Task<VideoTask?> FailAsync(VideoTask task, string message, CancellationToken cancellationToken) =>
        driver.ChangeAsync(task.Id, task.Attempt, (t, now) => TaskRules.Fail(t, message, now), cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: a submit to {Provider} was interrupted and its outcome is unknown; the task fails instead of submitting twice.")]
    private partial void LogOutcomeUnknown(string taskId, string provider);
}
