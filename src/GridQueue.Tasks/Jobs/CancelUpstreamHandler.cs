using GridQueue.Engine.Execution;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Secrets;
using GridQueue.Tasks.Storage;
using GridQueue.Tasks.Telemetry;
using Microsoft.Extensions.Logging;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// Cancels the upstream job of a task that was cancelled (or stopped at its deadline), where the provider can, then erases the user's key the cancel kept for
/// this call. Runs as its own job so the cancel request never waits on the upstream and a crash does not skip it.
/// </summary>
public sealed partial class CancelUpstreamHandler(
    ITaskStore store, TaskDriver driver, ProviderCatalog providers, ApiKeyProtector protector, ILogger<CancelUpstreamHandler> logger) : IJobHandler
{
    public Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = context.GetArgs<CancelUpstreamArgs>();
        return TaskTracing.RunAsync(logger, context, args.TaskId, () => HandleAsync(context, args, cancellationToken));
    }

    private async Task<JobOutcome> HandleAsync(JobContext context, CancelUpstreamArgs args, CancellationToken cancellationToken)
    {
        var task = await store.TaskGetWithoutImagesAsync(args.TaskId, cancellationToken).ConfigureAwait(false);
        if (task is null)
        {
            return JobOutcome.Completed;
        }

        if (providers.Find(task.Provider) is not { } provider)
        {
            LogNotCancelled(task.Id, task.Provider, "the provider is no longer configured");
            await EraseKeyAsync(task, cancellationToken).ConfigureAwait(false);
            return JobOutcome.Completed;
        }

        try
        {
            await provider.CancelAsync(new ProviderCallRequest(args.UpstreamTaskId, protector.Unprotect(task.ProtectedApiKey)), cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.Kind != ProviderErrorKind.Permanent && !context.IsLastAttempt)
        {
            return JobOutcome.Failed(e.Message, e.RetryAfter);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            LogNotCancelled(task.Id, provider.Name, $"the user's key could not be decrypted: {e.Message}");
        }
        catch (ProviderException e)
        {
            // The upstream would not cancel (it may have finished already). The task is cancelled either way.
            LogNotCancelled(task.Id, provider.Name, e.Message);
        }

        await EraseKeyAsync(task, cancellationToken).ConfigureAwait(false);
        return JobOutcome.Completed;
    }

    /// <summary>The key was kept for this call only (the task is cancelled, or failed at its deadline).</summary>
    private Task<VideoTask?> EraseKeyAsync(VideoTask task, CancellationToken cancellationToken) =>
        driver.ChangeAsync(task.Id, task.Attempt, (t, _) => TaskRules.EraseApiKey(t), cancellationToken, visible: false);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: {Provider} did not cancel the upstream job ({Reason}); the task is cancelled regardless.")]
    private partial void LogNotCancelled(string taskId, string provider, string reason);
}
