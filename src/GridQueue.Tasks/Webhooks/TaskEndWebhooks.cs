using GridQueue.Engine.Engine;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Webhooks;

/// <summary>
/// Queues the webhook delivery of a task that just ended, inside the transaction that ends it: the end and its
/// delivery commit together, so a crash right after a task ended cannot lose the delivery (at least once).
/// </summary>
public sealed class TaskEndWebhooks(JobEngine engine, WebhookDestinations destinations, IOptions<WebhookOptions> options)
{
    /// <summary>
    /// Inserts the delivery when <paramref name="before"/> → <paramref name="after"/> ends the task's attempt and
    /// it has a destination (its own callback_url, else the deployment's default).
    /// </summary>
    public async Task OnChangedAsync(ITaskWriteScope scope, VideoTask before, VideoTask after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (!Queues(before, after))
        {
            return;
        }

        var url = (after.CallbackUrl ?? destinations.DefaultUrl)!;
        await engine.InsertAsync(WebhookJobs.NewDelivery(after, url, options.Value.MaxAttempts), scope.Transaction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <see cref="OnChangedAsync"/> inserts a delivery for this change: it ends the attempt, and there is a destination.</summary>
    public bool Queues(VideoTask before, VideoTask after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var ended = after.Status.IsTerminal() && !(before.Status.IsTerminal() && before.Attempt == after.Attempt);
        return ended && (after.CallbackUrl ?? destinations.DefaultUrl) is not null;
    }
}
