using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Storage;

/// <summary>
/// A task that is not terminal but may not end by itself: its attempt's deadline passed, or the job driving it has
/// finished (completed, cancelled or discarded) or no longer exists.
/// </summary>
/// <param name="Task">The task as stored.</param>
/// <param name="JobState">The driving job's stored state name ("discarded", ...), null when the job is gone or the task has none.</param>
/// <param name="JobLastError">The driving job's most recent error message, if it has one.</param>
public sealed record StuckTask(VideoTask Task, string? JobState, string? JobLastError);
