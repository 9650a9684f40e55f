namespace GridQueue.Tasks.Model;

/// <summary>
/// The task status rules, as pure functions: each returns the changed task, or null when the rule does not allow
/// the change from the task's current state. Callers store the result with a compare-and-set on
/// <see cref="VideoTask.Version"/>, so a change computed from a stale read never lands. The one way out of a
/// terminal status is <see cref="Retry"/> of a failed task: whatever arrives later from upstream is dropped here.
/// </summary>
public static class TaskRules
{
    /// <summary>Highest progress a task shows before the upstream says it succeeded.</summary>
    public const int MaxProgressBeforeSuccess = 99;

    /// <summary>queued → running, with the submit recorded as in flight before the provider is called.</summary>
    public static VideoTask? Start(VideoTask task, DateTimeOffset now) =>
        task.Status != VideoTaskStatus.Queued ? null : task with
        {
            Status = VideoTaskStatus.Running,
            SubmitState = SubmitState.InFlight,
            StartedAt = now,
            Progress = 0,
            UpdatedAt = now,
        };

    /// <summary>The provider proved nothing was made (Transient: e.g. 429 or a refused connection): the next try may submit again.</summary>
    public static VideoTask? SubmitNotSent(VideoTask task, DateTimeOffset now) =>
        task is { Status: VideoTaskStatus.Running, SubmitState: SubmitState.InFlight }
            ? task with { SubmitState = SubmitState.NotSent, UpdatedAt = now }
            : null;

    /// <summary>A new submit of a running task (after <see cref="SubmitNotSent"/>) is in flight again.</summary>
    public static VideoTask? SubmitAgain(VideoTask task, DateTimeOffset now) =>
        task is { Status: VideoTaskStatus.Running, SubmitState: SubmitState.NotSent }
            ? task with { SubmitState = SubmitState.InFlight, UpdatedAt = now }
            : null;

    /// <summary>The upstream accepted the submit.</summary>
    public static VideoTask? Accept(VideoTask task, string upstreamTaskId, DateTimeOffset now) =>
        task is { Status: VideoTaskStatus.Running, SubmitState: SubmitState.InFlight }
            ? task with { SubmitState = SubmitState.Accepted, UpstreamTaskId = upstreamTaskId, UpdatedAt = now }
            : null;

    /// <summary>Progress rises (never falls within an attempt, and stays below 100 until success).</summary>
    public static VideoTask? Advance(VideoTask task, int progress, DateTimeOffset now)
    {
        var next = Math.Clamp(progress, 0, MaxProgressBeforeSuccess);
        return task.Status == VideoTaskStatus.Running && next > task.Progress
            ? task with { Progress = next, UpdatedAt = now }
            : null;
    }

    /// <summary>running → succeeded with the video.</summary>
    public static VideoTask? Succeed(VideoTask task, string videoUrl, DateTimeOffset now) =>
        task.Status != VideoTaskStatus.Running ? null : task with
        {
            Status = VideoTaskStatus.Succeeded,
            Progress = 100,
            VideoUrl = videoUrl,
            ErrorMessage = null,
            CompletedAt = now,
            UpdatedAt = now,
            ProtectedApiKey = null,
        };

    /// <summary>
    /// queued or running → failed with a message for the user. <paramref name="keepApiKey"/> keeps the user's key
    /// until the upstream job is cancelled too (the cancel job erases it).
    /// </summary>
    public static VideoTask? Fail(VideoTask task, string message, DateTimeOffset now, bool keepApiKey = false) =>
        task.Status is not (VideoTaskStatus.Queued or VideoTaskStatus.Running) ? null : task with
        {
            Status = VideoTaskStatus.Failed,
            ErrorMessage = message,
            VideoUrl = null,
            CompletedAt = now,
            UpdatedAt = now,
            ProtectedApiKey = keepApiKey ? task.ProtectedApiKey : null,
        };

    /// <summary>A queued task over a limit waits in its line without a job (a free slot gives it one).</summary>
    public static VideoTask? Park(VideoTask task) =>
        task is { Status: VideoTaskStatus.Queued, JobId: not null } ? task with { JobId = null } : null;

    /// <summary>A waiting queued task gets a submit job again (<paramref name="jobId"/>).</summary>
    public static VideoTask? Wake(VideoTask task, long jobId) =>
        task is { Status: VideoTaskStatus.Queued, JobId: null } ? task with { JobId = jobId } : null;

    /// <summary>A terminal task no longer needs the user's key (kept for an upstream cancel that is over or not possible).</summary>
    public static VideoTask? EraseApiKey(VideoTask task) =>
        task.Status.IsTerminal() && task.ProtectedApiKey is not null ? task with { ProtectedApiKey = null } : null;

    /// <summary>
    /// queued or running → cancelled. <paramref name="keepApiKey"/> keeps the user's key until the upstream job
    /// is cancelled too (the cancel job erases it).
    /// </summary>
    public static VideoTask? Cancel(VideoTask task, DateTimeOffset now, bool keepApiKey) =>
        task.Status is not (VideoTaskStatus.Queued or VideoTaskStatus.Running) ? null : task with
        {
            Status = VideoTaskStatus.Cancelled,
            ErrorMessage = "Cancelled by the user.",
            CompletedAt = now,
            UpdatedAt = now,
            ProtectedApiKey = keepApiKey ? task.ProtectedApiKey : null,
        };

    /// <summary>failed → queued as a new attempt.</summary>
    public static VideoTask? Retry(VideoTask task, DateTimeOffset now, string? protectedApiKey) =>
        task.Status != VideoTaskStatus.Failed ? null : task with
        {
            Status = VideoTaskStatus.Queued,
            Attempt = task.Attempt + 1,
            Progress = 0,
            VideoUrl = null,
            ErrorMessage = null,
            CompletedAt = null,
            UpstreamTaskId = null,
            SubmitState = SubmitState.NotSent,
            StartedAt = null,
            UpdatedAt = now,
            ProtectedApiKey = protectedApiKey,
            UsesOwnApiKey = protectedApiKey is not null,
        };
}
