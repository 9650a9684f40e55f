using System.Data.Common;
using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Storage;

/// <summary>
/// One write transaction on the task tables; jobs join it through <see cref="Transaction"/>. Several nodes may hold
/// scopes on one database at once: the guarantees each operation states hold across them (the shared
/// TaskStoreContractTests race two store instances to check it), never only because a backend has one writer.
/// </summary>
public interface ITaskWriteScope : IAsyncDisposable
{
    /// <summary>The open transaction, for JobEngine.InsertAsync(job, transaction).</summary>
    DbTransaction Transaction { get; }

    /// <summary>
    /// The task without its images (<see cref="VideoTask.ImagesLoaded"/> false): a change never alters them, and
    /// reading megabytes under the write gate would slow every writer. A caller that answers a client with the task
    /// puts them back (<see cref="ITaskStore.TaskImagesGetAsync"/>).
    /// </summary>
    Task<VideoTask?> TaskGetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Inserts a new task; its images, when it has any, are written once, apart from the task row.</summary>
    Task TaskInsertAsync(VideoTask task, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="TaskInsertAsync"/> followed by <see cref="EventAppendAsync"/> for the new task. A store may send both
    /// in one round trip (see <see cref="TaskUpdateWithEventAsync"/>).
    /// </summary>
    async Task<long> TaskInsertWithEventAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await TaskInsertAsync(task, cancellationToken).ConfigureAwait(false);
        return await EventAppendAsync(task, payload, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="TaskInsertWithEventAsync"/> and then <see cref="CommitAsync"/>, for a scope with nothing left to
    /// write. A store may send the commit with the writes, in one round trip: on PostgreSQL an event writer then never
    /// waits on its node between drawing its number and committing, and that is the time other nodes' readers of the
    /// event log wait for it. Call <see cref="CommitAsync"/> no more.
    /// </summary>
    async Task<long> TaskInsertWithEventAndCommitAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sequence = await TaskInsertWithEventAsync(task, payload, now, cancellationToken).ConfigureAwait(false);
        await CommitAsync(cancellationToken).ConfigureAwait(false);
        return sequence;
    }

    /// <summary>
    /// Stores <paramref name="task"/> only if the row's version is still <paramref name="expectedVersion"/> (the
    /// caller sets the new version). False when another change won. Of concurrent updates from one version, on any
    /// nodes, exactly one returns true.
    /// </summary>
    Task<bool> TaskUpdateAsync(VideoTask task, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="TaskUpdateAsync"/> for a change that moved only the progress, the version and
    /// <see cref="VideoTask.UpdatedAt"/> (a poll's result): the same compare-and-set, which a store may make by writing
    /// those columns alone. Every other field of <paramref name="task"/> must equal the stored row's.
    /// </summary>
    Task<bool> TaskUpdateProgressAsync(VideoTask task, long expectedVersion, CancellationToken cancellationToken) =>
        TaskUpdateAsync(task, expectedVersion, cancellationToken);

    /// <summary>
    /// The compare-and-set of <see cref="TaskUpdateAsync"/> (of <see cref="TaskUpdateProgressAsync"/> when
    /// <paramref name="onlyProgressMoved"/>) followed, when it lands, by <see cref="EventAppendAsync"/>: false, and no
    /// event, when another change won. A store may send both in one round trip; on PostgreSQL that shortens the time a
    /// writing transaction is open, which is the time other nodes' readers of the event log wait for it.
    /// </summary>
    async Task<bool> TaskUpdateWithEventAsync(
        VideoTask task, long expectedVersion, bool onlyProgressMoved, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = onlyProgressMoved
            ? await TaskUpdateProgressAsync(task, expectedVersion, cancellationToken).ConfigureAwait(false)
            : await TaskUpdateAsync(task, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (stored)
        {
            await EventAppendAsync(task, payload, now, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    /// <summary>
    /// <see cref="TaskUpdateWithEventAsync"/> and then <see cref="CommitAsync"/>, which commits whether the
    /// compare-and-set landed or not: only for a scope that has written nothing before it and writes nothing after it
    /// (a lost race then commits nothing). A store may send the commit with the change, in one round trip (see
    /// <see cref="TaskInsertWithEventAndCommitAsync"/>). Call <see cref="CommitAsync"/> no more.
    /// </summary>
    async Task<bool> TaskUpdateWithEventAndCommitAsync(
        VideoTask task, long expectedVersion, bool onlyProgressMoved, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = await TaskUpdateWithEventAsync(task, expectedVersion, onlyProgressMoved, payload, now, cancellationToken).ConfigureAwait(false);
        await CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Holds the running slots of <paramref name="userId"/> and of <paramref name="provider"/> until this transaction
    /// ends: every transaction that starts a task or moves one out of running takes it first, so the running counts
    /// read after it (<see cref="TaskCountRunningAsync"/>) stay exact until commit, cluster-wide, and a start decided
    /// on them cannot overshoot a limit. Transactions of other users and providers are not held up. A null user or
    /// provider is not held: callers pass null when it has no limit, so that, with no provider limit, starts and ends
    /// of every user on one provider do not queue behind each other across the cluster.
    /// </summary>
    Task LockSlotsAsync(string? userId, string? provider, CancellationToken cancellationToken);

    /// <summary>
    /// Running tasks of one user (<paramref name="userId"/>), or when it is null of one provider. Exact for a limit only after
    /// <see cref="LockSlotsAsync"/> for that user or provider.
    /// </summary>
    Task<int> TaskCountRunningAsync(string? userId, string? provider, CancellationToken cancellationToken);

    /// <summary>
    /// The oldest queued task of each (user, provider) line, optionally only one user's or one provider's lines,
    /// oldest first, at most <paramref name="limit"/>; with or without a job; without their images.
    /// </summary>
    Task<IReadOnlyList<VideoTask>> TaskListQueuedHeadsAsync(string? userId, string? provider, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Appends an event for the task as it now is; returns its sequence number, higher than every event's before it.
    /// Readers see it only once every lower sequence number is committed or will never exist
    /// (<see cref="ITaskStore.EventListAfterAsync"/>).
    /// </summary>
    Task<long> EventAppendAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a user's idempotency key for <paramref name="taskId"/> in this transaction. Returns null when the key
    /// is now this transaction's (it was free, or its record is older than <paramref name="notBefore"/>), else the id
    /// of the task that holds it. Of concurrent claims of one key, on any nodes, exactly one wins: the others wait
    /// for it to commit and get its task (or, if it rolls back, one of them claims the key).
    /// </summary>
    Task<string?> IdempotencyKeyClaimAsync(
        string userId, string key, string taskId, DateTimeOffset now, DateTimeOffset notBefore, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
