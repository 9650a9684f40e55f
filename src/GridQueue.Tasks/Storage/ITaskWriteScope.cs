using System.Data.Common;
using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Storage;

/// <summary>One write transaction on the task tables; jobs join it through <see cref="Transaction"/>.</summary>
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
    /// Stores <paramref name="task"/> only if the row's version is still <paramref name="expectedVersion"/> (the
    /// caller sets the new version). False when another change won.
    /// </summary>
    Task<bool> TaskUpdateAsync(VideoTask task, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Running tasks, all of one user's or one provider's (null: not filtered on that).</summary>
    Task<int> TaskCountRunningAsync(string? userId, string? provider, CancellationToken cancellationToken);

    /// <summary>
    /// The oldest queued task of each (user, provider) line, optionally only one user's or one provider's lines,
    /// oldest first, at most <paramref name="limit"/>; with or without a job; without their images.
    /// </summary>
    Task<IReadOnlyList<VideoTask>> TaskListQueuedHeadsAsync(string? userId, string? provider, int limit, CancellationToken cancellationToken);

    /// <summary>Appends an event for the task as it now is; returns its sequence number.</summary>
    Task<long> EventAppendAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The task a user's key names, if recorded at or after <paramref name="notBefore"/>.</summary>
    Task<string?> IdempotencyKeyFindAsync(string userId, string key, DateTimeOffset notBefore, CancellationToken cancellationToken);

    /// <summary>Records (or, when expired, replaces) a user's key.</summary>
    Task IdempotencyKeySaveAsync(string userId, string key, string taskId, DateTimeOffset now, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
