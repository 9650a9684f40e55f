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
public sealed class TaskDriver
{
    private readonly ITaskStore store;
    private readonly TaskChangeSignal signal;
    private readonly TaskSlots slots;
    private readonly JobEngine engine;
    private readonly ProviderCatalog providers;
    private readonly TaskMetrics metrics;
    private readonly TimeProvider time;
    private readonly TaskEndWebhooks webhooks;
    private readonly TaskChangeGroup _relaxedGroup;

    public TaskDriver(
        ITaskStore store, TaskChangeSignal signal, TaskSlots slots, JobEngine engine, ProviderCatalog providers, TaskMetrics metrics, TimeProvider time,
        TaskEndWebhooks webhooks)
    {
        this.store = store;
        this.signal = signal;
        this.slots = slots;
        this.engine = engine;
        this.providers = providers;
        this.metrics = metrics;
        this.time = time;
        this.webhooks = webhooks;
        _relaxedGroup = new TaskChangeGroup(WriteGroupAsync);
    }

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
    public Task<VideoTask?> ChangeAsync(
        string taskId,
        int attempt,
        Func<VideoTask, DateTimeOffset, VideoTask?> rule,
        CancellationToken cancellationToken,
        Func<ITaskWriteScope, VideoTask, Task<VideoTask>>? alsoInTransaction = null,
        bool visible = true,
        WriteDurability durability = WriteDurability.Durable)
    {
        ArgumentNullException.ThrowIfNull(rule);

        // Poll results (relaxed, visible, nothing else in the transaction) are written in groups where the store gains
        // from it: see TaskChangeGroup.
        if (store.GroupsRelaxedWrites && durability == WriteDurability.Relaxed && alsoInTransaction is null && visible)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return _relaxedGroup.SubmitAsync(new PendingTaskChange(taskId, attempt, rule, cancellationToken));
        }

        return ChangeAloneAsync(taskId, attempt, rule, cancellationToken, alsoInTransaction, visible, durability);
    }

    private async Task<VideoTask?> ChangeAloneAsync(
        string taskId,
        int attempt,
        Func<VideoTask, DateTimeOffset, VideoTask?> rule,
        CancellationToken cancellationToken,
        Func<ITaskWriteScope, VideoTask, Task<VideoTask>>? alsoInTransaction,
        bool visible,
        WriteDurability durability)
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

            // A visible change with nothing written before it and nothing to follow (no slot freed, no webhook)
            // commits with its write.
            var freesSlot = changed is not null && current.Status == VideoTaskStatus.Running && changed.Status != VideoTaskStatus.Running;
            var alone = visible && changed is not null && alsoInTransaction is null && !freesSlot && !webhooks.Queues(current, changed);
            stored = await TaskChanges.ApplyAsync(scope, current, changed, now, cancellationToken, visible, andCommit: alone).ConfigureAwait(false);
            if (stored is null)
            {
                return null;
            }

            if (!alone)
            {
                if (freesSlot)
                {
                    await slots.WakeAfterSlotFreedAsync(scope, stored, now, cancellationToken).ConfigureAwait(false);
                }

                await webhooks.OnChangedAsync(scope, current, stored, cancellationToken).ConfigureAwait(false);
                await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        metrics.Changed(current, stored);
        if (visible)
        {
            signal.Raise();
        }

        return stored;
    }

    /// <summary>
    /// Writes a group of relaxed changes in one transaction, each still a re-read, a rule and a compare-and-set, and
    /// wakes the push hub once after the commit. The changes share the transaction's time: they become visible
    /// together, at its commit. If anything in the group fails, nothing of it is kept and each change is written
    /// again on its own, so a failure reaches only the caller whose change caused it.
    /// </summary>
    private async Task WriteGroupAsync(IReadOnlyList<PendingTaskChange> group)
    {
        var live = group.Where(c => !c.Completion.Task.IsCompleted && !Cancelled(c)).ToList();
        if (live.Count == 0)
        {
            return;
        }

        if (live.Count == 1)
        {
            await WriteAloneAsync(live[0]).ConfigureAwait(false);
            return;
        }

        var results = new (VideoTask Current, VideoTask? Stored)?[live.Count];
        try
        {
            await using var scope = await store.BeginAsync(WriteDurability.Relaxed, CancellationToken.None).ConfigureAwait(false);
            var now = time.GetUtcNow();
            for (var i = 0; i < live.Count; i++)
            {
                var change = live[i];
                if (await scope.TaskGetAsync(change.TaskId, CancellationToken.None).ConfigureAwait(false) is not { } current || current.Attempt != change.Attempt)
                {
                    continue;
                }

                var stored = await TaskChanges.ApplyAsync(scope, current, change.Rule(current, now), now, CancellationToken.None).ConfigureAwait(false);
                if (stored is not null && current.Status == VideoTaskStatus.Running && stored.Status != VideoTaskStatus.Running)
                {
                    await slots.WakeAfterSlotFreedAsync(scope, stored, now, CancellationToken.None).ConfigureAwait(false);
                }

                if (stored is not null)
                {
                    await webhooks.OnChangedAsync(scope, current, stored, CancellationToken.None).ConfigureAwait(false);
                }

                results[i] = (current, stored);
            }

            await scope.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var change in live)
            {
                await WriteAloneAsync(change).ConfigureAwait(false);
            }

            return;
        }

        var anyStored = false;
        for (var i = 0; i < live.Count; i++)
        {
            if (results[i] is { Stored: { } stored } result)
            {
                metrics.Changed(result.Current, stored);
                anyStored = true;
            }
        }

        if (anyStored)
        {
            signal.Raise();
        }

        for (var i = 0; i < live.Count; i++)
        {
            live[i].Completion.TrySetResult(results[i]?.Stored);
        }
    }

    private async Task WriteAloneAsync(PendingTaskChange change)
    {
        try
        {
            change.Completion.TrySetResult(await ChangeAloneAsync(
                change.TaskId, change.Attempt, change.Rule, change.CancellationToken, alsoInTransaction: null, visible: true, WriteDurability.Relaxed).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (change.CancellationToken.IsCancellationRequested)
        {
            change.Completion.TrySetCanceled(change.CancellationToken);
        }
        catch (Exception e)
        {
            change.Completion.TrySetException(e);
        }
    }

    private static bool Cancelled(PendingTaskChange change)
    {
        if (!change.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        change.Completion.TrySetCanceled(change.CancellationToken);
        return true;
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
