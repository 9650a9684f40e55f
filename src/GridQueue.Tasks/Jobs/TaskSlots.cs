using GridQueue.Engine.Engine;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Storage;
using GridQueue.Tasks.Telemetry;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// The per-user and per-provider running limits, as waiting lines. Each (user, provider) pair has a line of queued
/// tasks, oldest first; only its head may start. A task that cannot start now parks: it keeps its place in the line
/// and has no job, so waiting costs no claim, no write and no timer. The change that frees a slot (a running task
/// ends) wakes the heads that may now start, in the same transaction; the sweeper wakes any head it finds startable,
/// as a safety net for wake-ups no change made (limits raised in configuration, a crash between two writes).
/// </summary>
public sealed class TaskSlots(
    ITaskStore store, JobEngine engine, TaskChangeSignal signal, TaskMetrics metrics, IOptions<TasksOptions> options, TimeProvider time)
{
    /// <summary>Heads looked at when a provider slot frees (the first whose user is under its own limit is woken).</summary>
    private const int ProviderHeadsLooked = 50;

    private readonly TasksOptions _options = options.Value;

    /// <summary>How soon a task tries again when a slot is free but an older task of its line goes first.</summary>
    public static readonly TimeSpan BehindOlderRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// queued → running when the task heads its line and the user and the provider are under their limits. When the
    /// limits are reached the task parks. When a slot is free but an older task of the line should take it, the older
    /// one is woken if it waits, and this one is told to try again shortly (it parks then if the line filled the
    /// slots). The counts and the change are one transaction holding the slots (<see cref="ITaskWriteScope.LockSlotsAsync"/>),
    /// so two submits, on any nodes, cannot both take the last slot.
    /// </summary>
    public async Task<StartAttempt> TryStartAsync(VideoTask task, long jobId, CancellationToken cancellationToken)
    {
        await using var scope = await store.BeginAsync(WriteDurability.Durable, cancellationToken).ConfigureAwait(false);

        // First, so that the task and the counts are read as they are while no other start or end can change them.
        await LockLimitedSlotsAsync(scope, task.UserId, task.Provider, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var current = await scope.TaskGetAsync(task.Id, cancellationToken).ConfigureAwait(false);
        if (current is not { Status: VideoTaskStatus.Queued } || current.Attempt != task.Attempt || current.JobId != jobId)
        {
            return new StartAttempt(null, null); // cancelled, or another job drives it now
        }
        var free = await HasFreeSlotAsync(scope, current.UserId, current.Provider, cancellationToken).ConfigureAwait(false);
        var heads = await scope.TaskListQueuedHeadsAsync(current.UserId, current.Provider, 1, cancellationToken).ConfigureAwait(false);
        var head = heads.Count > 0 ? heads[0] : current;
        if (free && head.Id == current.Id)
        {
            // Nothing was written before the start and nothing follows it: the commit goes with the change.
            var started = await TaskChanges.ApplyAsync(scope, current, TaskRules.Start(current, now), now, cancellationToken, andCommit: true).ConfigureAwait(false);
            signal.Raise();
            if (started is not null)
            {
                metrics.Changed(current, started);
            }

            return new StartAttempt(started, null);
        }

        if (free)
        {
            // An older task of the line goes first; this one looks again shortly rather than wait for a slot to free.
            await WakeAsync(scope, head, now, cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new StartAttempt(null, BehindOlderRetry);
        }

        await TaskChanges.ApplyAsync(scope, current, TaskRules.Park(current), now, cancellationToken, visible: false).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new StartAttempt(null, null);
    }

    /// <summary>
    /// Called in the transaction that moved <paramref name="freed"/> out of running: wakes the heads of the user's
    /// lines and, when the provider has a limit, the oldest head on that provider whose user is under its limit.
    /// A woken head that still cannot start parks again.
    /// </summary>
    public async Task WakeAfterSlotFreedAsync(ITaskWriteScope scope, VideoTask freed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(freed);

        // Held before the heads are read: a start that parked for want of this slot has committed (and is seen
        // here, parked) or waits for this transaction (and then counts the freed slot).
        await LockLimitedSlotsAsync(scope, freed.UserId, freed.Provider, cancellationToken).ConfigureAwait(false);
        var woken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var head in await scope.TaskListQueuedHeadsAsync(freed.UserId, null, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            if (await WakeAsync(scope, head, now, cancellationToken).ConfigureAwait(false))
            {
                woken.Add(head.Id);
            }
        }

        if (_options.MaxRunningPerProvider.GetValueOrDefault(freed.Provider) <= 0)
        {
            return;
        }

        foreach (var head in await scope.TaskListQueuedHeadsAsync(null, freed.Provider, ProviderHeadsLooked, cancellationToken).ConfigureAwait(false))
        {
            if (head.JobId is null && !woken.Contains(head.Id)
                && (_options.MaxRunningPerUser <= 0
                    || await scope.TaskCountRunningAsync(head.UserId, null, cancellationToken).ConfigureAwait(false) < _options.MaxRunningPerUser))
            {
                await WakeAsync(scope, head, now, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>
    /// The sweeper's safety net: wakes every waiting head whose user and provider have a free slot. Reads only
    /// unless one is found. Returns how many were woken.
    /// </summary>
    public async Task<int> WakeStartableAsync(int limit, CancellationToken cancellationToken)
    {
        var woken = 0;
        foreach (var head in await store.TaskListWaitingHeadsAsync(limit, cancellationToken).ConfigureAwait(false))
        {
            if (!await HasFreeSlotAsync(null, head.UserId, head.Provider, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            await using var scope = await store.BeginAsync(WriteDurability.Durable, cancellationToken).ConfigureAwait(false);
            var current = await scope.TaskGetAsync(head.Id, cancellationToken).ConfigureAwait(false);
            if (current is not null && await WakeAsync(scope, current, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
                woken++;
            }
        }

        return woken;
    }

    /// <summary>Gives a parked task a submit job again, in <paramref name="scope"/>. False when it is not parked.</summary>
    private async Task<bool> WakeAsync(ITaskWriteScope scope, VideoTask task, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (task is not { Status: VideoTaskStatus.Queued, JobId: null })
        {
            return false;
        }

        var job = await engine.InsertAsync(
            TaskJobs.NewSubmit(task.Id, task.Attempt, _options.SubmitMaxAttempts, wakeVersion: task.Version), scope.Transaction, cancellationToken).ConfigureAwait(false);
        return await TaskChanges.ApplyAsync(scope, task, TaskRules.Wake(task, job.Job.Id), now, cancellationToken, visible: false).ConfigureAwait(false) is not null;
    }

    /// <summary>Whether the user and the provider are under their limits (in <paramref name="scope"/>, or a plain read).</summary>
    /// <summary>
    /// Holds the slots that have a limit. A user or provider without one is not held: nothing is counted for it, and
    /// holding it would make every start and end on that provider wait for one another across the cluster.
    /// </summary>
    private Task LockLimitedSlotsAsync(ITaskWriteScope scope, string userId, string provider, CancellationToken cancellationToken) =>
        scope.LockSlotsAsync(
            _options.MaxRunningPerUser > 0 ? userId : null,
            _options.MaxRunningPerProvider.GetValueOrDefault(provider) > 0 ? provider : null,
            cancellationToken);

    private async Task<bool> HasFreeSlotAsync(ITaskWriteScope? scope, string userId, string provider, CancellationToken cancellationToken)
    {
        var perProvider = _options.MaxRunningPerProvider.GetValueOrDefault(provider);
        return (_options.MaxRunningPerUser <= 0
                || await CountAsync(scope, userId, null, cancellationToken).ConfigureAwait(false) < _options.MaxRunningPerUser)
            && (perProvider <= 0
                || await CountAsync(scope, null, provider, cancellationToken).ConfigureAwait(false) < perProvider);
    }

    private Task<int> CountAsync(ITaskWriteScope? scope, string? userId, string? provider, CancellationToken cancellationToken) =>
        scope is not null
            ? scope.TaskCountRunningAsync(userId, provider, cancellationToken)
            : store.TaskCountRunningAsync(userId, provider, cancellationToken);
}

/// <summary>What <see cref="TaskSlots.TryStartAsync"/> did: the started task, or a delay to try again after, or neither (parked or gone).</summary>
public sealed record StartAttempt(VideoTask? Started, TimeSpan? TryAgainAfter);
