using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Storage;

/// <summary>
/// Task rows, their event log and idempotency keys, on the same database as the engine's jobs, so a change, its
/// event and the job that follows it commit together. Writes go through <see cref="BeginAsync"/>.
/// </summary>
public interface ITaskStore
{
    /// <summary>Opens a write transaction. Dispose without <see cref="ITaskWriteScope.CommitAsync"/> rolls back.</summary>
    /// <param name="durability">
    /// <see cref="WriteDurability.Durable"/> for what a caller is told has happened and for the submit record that
    /// must survive a power cut; <see cref="WriteDurability.Relaxed"/> for changes that are derived again from the
    /// upstream if a power cut loses them (poll results).
    /// </param>
    Task<ITaskWriteScope> BeginAsync(WriteDurability durability, CancellationToken cancellationToken);

    /// <summary>
    /// True when relaxed changes of many tasks should share one transaction (see TaskChangeGroup): a store with one
    /// writer at a time saves a commit per change. False for a store with concurrent writers, where a group is one
    /// long transaction that every reader of the event log waits for.
    /// </summary>
    bool GroupsRelaxedWrites { get; }

    /// <summary>The task with its images, as clients see it.</summary>
    Task<VideoTask?> TaskGetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// The task without its images (<see cref="VideoTask.ImagesLoaded"/> false): for handlers, which read a task at
    /// every poll and need the images only to submit it (<see cref="TaskImagesGetAsync"/>).
    /// </summary>
    Task<VideoTask?> TaskGetWithoutImagesAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>A task's images (they never change), empty when it has none or does not exist.</summary>
    Task<IReadOnlyList<string>> TaskImagesGetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// A user's tasks with their images, newest first (by id, compared as ordinal strings whatever the database's
    /// collation), with ids below <paramref name="beforeTaskId"/> when given: at
    /// most <paramref name="limit"/>, and no task is added once the page's images pass <paramref name="maxImageChars"/>
    /// characters (at least one task always comes), so a page of tasks with data: images stays bounded in memory.
    /// </summary>
    Task<IReadOnlyList<VideoTask>> TaskListAsync(
        string userId, VideoTaskStatus? status, string? beforeTaskId, int limit, long maxImageChars, CancellationToken cancellationToken);

    /// <summary>Running tasks of one user (<paramref name="userId"/>), or when it is null of one provider; a read outside any write.</summary>
    Task<int> TaskCountRunningAsync(string? userId, string? provider, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> queued or running tasks (without their images) that cannot end by themselves: running since before
    /// <paramref name="startedBefore"/> (their deadline passed), or whose driving job (<see cref="VideoTask.JobId"/>)
    /// has finished or no longer exists. Tasks waiting in line without a job are not stuck.
    /// </summary>
    Task<IReadOnlyList<StuckTask>> TaskListStuckAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The heads of the waiting lines: for each (user, provider), its oldest queued task, when that task has no job
    /// (it waits for a slot); oldest first, at most <paramref name="limit"/>; without their images.
    /// </summary>
    Task<IReadOnlyList<VideoTask>> TaskListWaitingHeadsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Events after <paramref name="afterSequence"/> in order, optionally for one user and one task, each with its
    /// task's images (<see cref="EventPayload.WithImages"/>), as many as <paramref name="size"/> allows.
    /// An event is returned only when every lower sequence number is committed or will never exist: a reader that
    /// resumes after the last sequence it got never skips one that commits later (on a database with concurrent
    /// writers, a sequence is handed out before its transaction commits).
    /// </summary>
    Task<IReadOnlyList<TaskEvent>> EventListAfterAsync(
        long afterSequence, string? userId, string? taskId, EventPageSize size, CancellationToken cancellationToken);

    /// <summary>The newest event's sequence, 0 when there is none.</summary>
    Task<long> EventLastSequenceAsync(CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> events older than <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> EventDeleteBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Erases the users' keys still kept on tasks that ended before <paramref name="endedBefore"/> (a key is kept past
    /// the end only for an upstream cancel, whose job may have been given up); returns how many.
    /// </summary>
    Task<int> TaskEraseKeptKeysAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken);

    /// <summary>Deletes idempotency keys recorded before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> IdempotencyKeyDeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
