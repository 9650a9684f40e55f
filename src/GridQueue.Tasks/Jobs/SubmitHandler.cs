using System.Security.Cryptography;
using GridQueue.Engine.Engine;
using GridQueue.Tasks.Callbacks;
using GridQueue.Engine.Execution;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Secrets;
using GridQueue.Tasks.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// Sends a task to its provider, store-before-submit: the task is marked running with the submit in flight (and
/// committed) before the provider is called, and the upstream id is stored with the first poll job in one
/// transaction. A run that finds a submit still in flight is a re-run after a crash or lost lease: the outcome is
/// unknown, so it resubmits only to a provider that honours idempotency keys, and otherwise fails the task saying
/// so, never paying for a second video silently.
/// <para>
/// Once the request has left, the call and the write of its answer do not listen to the handler's token: a cancel,
/// a lost lease or a graceful stop waits for the answer (the provider bounds the call with its own time-outs) and
/// records it, rather than turning a known outcome into an unknown one. A cancel that came meanwhile is applied
/// afterwards (the upstream job is cancelled where the provider can).
/// </para>
/// </summary>
public sealed partial class SubmitHandler(
    TaskDriver driver,
    TaskSlots slots,
    ProviderCatalog providers,
    ApiKeyProtector protector,
    JobEngine engine,
    IOptions<TasksOptions> options,
    ILogger<SubmitHandler> logger,
    UpstreamCallbacks callbacks) : IJobHandler
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
        if (task is null || task.Attempt != args.Attempt || task.Status.IsTerminal() || task.JobId != context.Job.Id)
        {
            return JobOutcome.Completed; // finished, retried, or driven by another job now
        }

        if (providers.Find(task.Provider) is not { } provider)
        {
            await driver.FailAsync(task, TaskMessages.ProviderGone(task.Provider), cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        if (_options.DeadlineOf(task) is { } deadline && driver.Time.GetUtcNow() >= deadline)
        {
            var message = task.SubmitState == SubmitState.InFlight
                ? $"{TaskMessages.Deadline(_options.Deadline)} {TaskMessages.OutcomeUnknown}"
                : TaskMessages.Deadline(_options.Deadline);
            await driver.FailAsync(task, message, cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        switch (task)
        {
            case { Status: VideoTaskStatus.Running, SubmitState: SubmitState.Accepted }:
                return JobOutcome.Completed; // its poll job was stored with the upstream id
            case { Status: VideoTaskStatus.Running, SubmitState: SubmitState.InFlight } when !provider.AcceptsIdempotencyKey:
                LogOutcomeUnknown(task.Id, provider.Name);
                await driver.FailAsync(task, TaskMessages.OutcomeUnknown, cancellationToken).ConfigureAwait(false);
                return JobOutcome.Completed;
        }

        // Read the user's key before anything is marked in flight: a key that cannot be decrypted fails the task
        // with what happened (nothing was sent), not as an unknown outcome.
        string? apiKey;
        try
        {
            apiKey = protector.Unprotect(task.ProtectedApiKey);
        }
        catch (CryptographicException e)
        {
            LogKeyUnreadable(task.Id, e.Message);
            await driver.FailAsync(task, TaskMessages.ApiKeyUnreadable, cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        // Handlers read tasks without their images; only the request needs them. They are read now, before the
        // submit is marked in flight, so a failed read cannot leave a submit that never left looking unknown.
        var images = (await driver.WithImagesAsync(task, cancellationToken).ConfigureAwait(false)).RequireImages();
        if (task.Status == VideoTaskStatus.Queued)
        {
            var start = await slots.TryStartAsync(task, context.Job.Id, cancellationToken).ConfigureAwait(false);
            if (start.TryAgainAfter is { } wait)
            {
                return JobOutcome.Snooze(wait); // an older task of the same line goes first
            }

            task = start.Started;
        }
        else if (task.SubmitState == SubmitState.NotSent)
        {
            task = await driver.ChangeAsync(task.Id, task.Attempt, TaskRules.SubmitAgain, cancellationToken, visible: false).ConfigureAwait(false);
        }

        // else: in flight to a provider that honours idempotency keys, sent again with the same key
        if (task is null)
        {
            return JobOutcome.Completed; // waits in its line without a job, or was cancelled while we looked
        }

        return await SubmitAsync(context, provider, task, images, apiKey).ConfigureAwait(false);
    }

    private async Task<JobOutcome> SubmitAsync(JobContext context, IVideoProvider provider, VideoTask task, IReadOnlyList<string> images, string? apiKey)
    {
        var request = new ProviderSubmitRequest(
            new VideoSpec(task.Model, task.Prompt, task.AspectRatio, task.Duration, task.Hd, images),
            $"{task.Id}:{task.Attempt}",
            apiKey,
            callbacks.UrlFor(provider.Name, task));
        ProviderSubmitResult result;
        try
        {
            result = await provider.SubmitAsync(request, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            return await SubmitFailedAsync(context, provider, task, e).ConfigureAwait(false);
        }

        var firstPoll = driver.Time.GetUtcNow() + _options.PollInterval;
        var accepted = await driver.ChangeAsync(
            task.Id,
            task.Attempt,
            (t, now) => TaskRules.Accept(t, result.UpstreamTaskId, now),
            CancellationToken.None,
            async (scope, changed) =>
            {
                var poll = await engine.InsertAsync(TaskJobs.NewPoll(changed.Id, changed.Attempt, firstPoll), scope.Transaction, CancellationToken.None).ConfigureAwait(false);
                return changed with { JobId = poll.Job.Id };
            }).ConfigureAwait(false);

        if (accepted is null)
        {
            // The task was cancelled (or stopped at its deadline) while the submit was on its way.
            await AfterLateAnswerAsync(provider, task, result.UpstreamTaskId).ConfigureAwait(false);
        }

        return JobOutcome.Completed;
    }

    private async Task<JobOutcome> SubmitFailedAsync(JobContext context, IVideoProvider provider, VideoTask task, ProviderException e)
    {
        var ct = CancellationToken.None; // the answer came back: record it whatever happened to the handler meanwhile
        switch (e.Kind)
        {
            case ProviderErrorKind.Transient when context.IsLastAttempt:
                await FailOrTidyAsync(provider, task, $"The provider could not be reached after {context.Job.Attempt} attempts: {e.Message}").ConfigureAwait(false);
                return JobOutcome.Completed;
            case ProviderErrorKind.Transient:
                // Nothing was made upstream (no connection, or a 429 refusal): the retry may send it again.
                if (await driver.ChangeAsync(task.Id, task.Attempt, TaskRules.SubmitNotSent, ct, visible: false).ConfigureAwait(false) is null)
                {
                    await AfterLateAnswerAsync(provider, task, null).ConfigureAwait(false);
                    return JobOutcome.Completed;
                }

                return JobOutcome.Failed(e.Message, RetryDelay(task, e));
            case ProviderErrorKind.OutcomeUnknown when provider.AcceptsIdempotencyKey && !context.IsLastAttempt:
                return JobOutcome.Failed(e.Message, RetryDelay(task, e)); // the same key is sent again
            case ProviderErrorKind.OutcomeUnknown:
                LogOutcomeUnknown(task.Id, provider.Name);
                await FailOrTidyAsync(provider, task, $"{TaskMessages.OutcomeUnknown} ({e.Message})").ConfigureAwait(false);
                return JobOutcome.Completed;
            default:
                await FailOrTidyAsync(provider, task, $"The provider refused the task: {e.Message}").ConfigureAwait(false);
                return JobOutcome.Completed;
        }
    }

    /// <summary>The upstream's Retry-After, bounded by the cap and the task's deadline; null lets the engine back off.</summary>
    private TimeSpan? RetryDelay(VideoTask task, ProviderException e) =>
        e.RetryAfter is { } wait ? _options.BoundWait(wait, driver.Time.GetUtcNow(), _options.DeadlineOf(task)) : null;

    private async Task FailOrTidyAsync(IVideoProvider provider, VideoTask task, string message)
    {
        if (await driver.FailAsync(task, message, CancellationToken.None).ConfigureAwait(false) is null)
        {
            await AfterLateAnswerAsync(provider, task, null).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The task ended while its submit was out. An upstream job that was made is cancelled where the provider can
    /// (that job erases the user's key afterwards); otherwise the key a cancel kept for it is erased now.
    /// </summary>
    private async Task AfterLateAnswerAsync(IVideoProvider provider, VideoTask task, string? upstreamTaskId)
    {
        var current = await driver.GetAsync(task.Id, CancellationToken.None).ConfigureAwait(false);
        if (current is null || current.Attempt != task.Attempt || !current.Status.IsTerminal())
        {
            return;
        }

        if (upstreamTaskId is not null && provider.CanCancel)
        {
            await engine.InsertAsync(TaskJobs.NewCancelUpstream(task.Id, upstreamTaskId), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (upstreamTaskId is not null)
        {
            LogOrphaned(task.Id, provider.Name, upstreamTaskId);
        }

        await driver.ChangeAsync(task.Id, task.Attempt, (t, _) => TaskRules.EraseApiKey(t), CancellationToken.None, visible: false).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: a submit to {Provider} was interrupted and its outcome is unknown; the task fails instead of submitting twice.")]
    private partial void LogOutcomeUnknown(string taskId, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: the user's upstream key could not be decrypted ({Reason}); the task fails without submitting.")]
    private partial void LogKeyUnreadable(string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: {Provider} accepted the submit as {UpstreamTaskId} after the task had ended; the provider cannot cancel it, so it runs on upstream.")]
    private partial void LogOrphaned(string taskId, string provider, string upstreamTaskId);
}
