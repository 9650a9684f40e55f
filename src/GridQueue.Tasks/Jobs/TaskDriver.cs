using GridQueue.Engine.Engine;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Storage;
using GridQueue.Tasks.Telemetry;
using GridQueue.Tasks.Webhooks;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// The handlers' way to change a task: each change re-reads the row inside a write transaction, applies a rule and
/// stores it with a compare-and-set, so a handler working from an older read (a cancel landed meanwhile) changes
/// nothing. Extra work for the same transaction (inserting the next job) goes in <c>alsoInTransaction</c>. A change
/// that takes a task out of running frees its slot and wakes the tasks waiting for it in the same transaction; one
/// that ends it queues its webhook delivery there too.
/// </summary>
public sealed class TaskDriver(
    ITaskStore store, TaskChangeSignal signal, TaskSlots slots, JobEngine engine, ProviderCatalog providers, TaskMetrics metrics, TimeProvider time,
    TaskEndWebhooks webhooks)
{
    public TimeProvider Time => time;

    /// <summary>The task without its images (<see cref="VideoTask.ImagesLoaded"/> false): handlers read it at every run.</summary>
    public Task<VideoTask?> GetAsync(string taskId, CancellationToken cancellationToken) =>
        store.TaskGetWithoutImagesAsync(taskId, cancellationToken);

    /// <summary><paramref name="task"/> with its images put back (they never change), for the submit that sends them.</summary>
    public async Task<VideoTask> WithImagesAsync(VideoTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.ImagesLoaded ? task : task.WithImages(await store.TaskImagesGetAsync(task.Id, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Applies <paramref name="rule"/> to the current row if it still belongs to <paramref name="attempt"/>.
    /// Returns the stored task, or null when the rule refused (the task moved on: cancelled, retried, finished).
    /// </summary>
    public async Task<VideoTask?> ChangeAsync(
        string taskId,
        int attempt,
        Func<VideoTask, DateTimeOffset, VideoTask?> rule,
        CancellationToken cancellationToken,
        Func<ITaskWriteScope, VideoTask, Task<VideoTask>>? alsoInTransaction = null,
        bool visible = true,
        WriteDurability durability = WriteDurability.Durable)
    {
        VideoTask? stored;
        VideoTask current;
        await using (var scope = await store.BeginAsync(durability, cancellationToken).ConfigureAwait(false))
        {
            // The change happens in this transaction: its time (updated_at) is read once the write has begun.
            var now = time.GetUtcNow();
            if (await scope.TaskGetAsync(taskId, cancellationToken).ConfigureAwait(false) is not { } read || read.Attempt != attempt)
            {
                return null;
            }

            current = read;

            var changed = rule(current, now);
            if (changed is not null && alsoInTransaction is not null)
            {
                changed = await alsoInTransaction(scope, changed).ConfigureAwait(false);
            }

            stored = await TaskChanges.ApplyAsync(scope, current, changed, now, cancellationToken, visible).ConfigureAwait(false);
            if (stored is null)
            {
                return null;
            }

            if (current.Status == VideoTaskStatus.Running && stored.Status != VideoTaskStatus.Running)
            {
                await slots.WakeAfterSlotFreedAsync(scope, stored, now, cancellationToken).ConfigureAwait(false);
            }

            await webhooks.OnChangedAsync(scope, current, stored, cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        metrics.Changed(current, stored);
        if (visible)
        {
            signal.Raise();
        }

        return stored;
    }

    /// <summary>
    /// Fails the task's attempt with <paramref name="message"/>. With <paramref name="cancelUpstream"/>, a task the
    /// upstream accepted is also cancelled there where the provider can (a job of its own, inserted with the change,
    /// which keeps the user's key until it has run).
    /// </summary>
    /// <param name="onlyAtVersion">When given, the task is failed only if its row is still at this version.</param>
    public Task<VideoTask?> FailAsync(
        VideoTask task,
        string message,
        CancellationToken cancellationToken,
        bool cancelUpstream = false,
        WriteDurability durability = WriteDurability.Durable,
        long? onlyAtVersion = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ChangeAsync(
            task.Id,
            task.Attempt,
            (t, now) => onlyAtVersion is { } v && t.Version != v ? null : TaskRules.Fail(t, message, now, keepApiKey: cancelUpstream && CanCancelUpstream(t)),
            cancellationToken,
            async (scope, failed) =>
            {
                if (cancelUpstream && CanCancelUpstream(failed))
                {
                    await engine.InsertAsync(TaskJobs.NewCancelUpstream(failed.Id, failed.UpstreamTaskId!), scope.Transaction, cancellationToken).ConfigureAwait(false);
                }

                return failed;
            },
            durability: durability);
    }

    private bool CanCancelUpstream(VideoTask task) =>
        task.UpstreamTaskId is not null && providers.Find(task.Provider) is { CanCancel: true };
}
