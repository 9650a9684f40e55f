using GridQueue.Engine.Engine;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Jobs;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Secrets;
using GridQueue.Tasks.Storage;
using GridQueue.Tasks.Telemetry;
using GridQueue.Tasks.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Service;

/// <summary>
/// What users do with tasks: generate, read, list, cancel, retry. Every change is one transaction holding the task
/// row, its event and the job that follows; the push hub is woken after the commit. Nothing here calls upstream.
/// </summary>
public sealed partial class TaskService(
    ITaskStore store,
    JobEngine engine,
    TaskSlots slots,
    ProviderCatalog providers,
    ApiKeyProtector protector,
    TaskChangeSignal signal,
    TaskMetrics metrics,
    IOptions<TasksOptions> options,
    TimeProvider time,
    ILogger<TaskService> logger,
    TaskEndWebhooks webhooks)
{
    private readonly TasksOptions _options = options.Value;

    /// <summary>
    /// Stores a new queued task and its submit job, or returns the task an earlier request with the same
    /// idempotency key made (Created is then false).
    /// </summary>
    public async Task<(VideoTask Task, bool Created)> GenerateAsync(
        string userId, ValidGenerateRequest request, string? idempotencyKey, string? userApiKey, CancellationToken cancellationToken)
    {
        var (task, created) = await GenerateOrFindAsync(userId, request, idempotencyKey, userApiKey, cancellationToken).ConfigureAwait(false);
        return (await WithImagesAsync(task, cancellationToken).ConfigureAwait(false), created);
    }

    /// <summary>
    /// <see cref="GenerateAsync"/>'s transaction. A task found by its key is read without its images; they are put
    /// back once the write gate is released.
    /// </summary>
    private async Task<(VideoTask Task, bool Created)> GenerateOrFindAsync(
        string userId, ValidGenerateRequest request, string? idempotencyKey, string? userApiKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var protectedKey = userApiKey is null ? null : protector.Protect(userApiKey);
        await using var scope = await store.BeginAsync(WriteDurability.Durable, cancellationToken).ConfigureAwait(false);

        // Times are read once the write transaction has begun: a change happens when it is written, and
        // updated_at is what clients measure push latency from.
        var now = time.GetUtcNow();
        var id = TaskIds.New(now);
        if (idempotencyKey is not null)
        {
            // The key is claimed before anything else is written: of two requests with one key, on any nodes, one
            // claims it and the other waits for that commit and answers with its task.
            var existingId = await scope.IdempotencyKeyClaimAsync(userId, idempotencyKey, id, now, now - _options.IdempotencyWindow, cancellationToken).ConfigureAwait(false);
            if (existingId is not null)
            {
                return (await scope.TaskGetAsync(existingId, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Idempotency key of user {userId} names task {existingId}, which does not exist."), false);
            }
        }

        var job = await engine.InsertAsync(TaskJobs.NewSubmit(id, 1, _options.SubmitMaxAttempts), scope.Transaction, cancellationToken).ConfigureAwait(false);
        var task = new VideoTask
        {
            Id = id,
            UserId = userId,
            Provider = request.Provider,
            Model = request.Model,
            Prompt = request.Prompt,
            AspectRatio = request.AspectRatio,
            Duration = request.Duration,
            Hd = request.Hd,
            Images = request.Images,
            CallbackUrl = request.CallbackUrl,
            Status = VideoTaskStatus.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            ProtectedApiKey = protectedKey,
            UsesOwnApiKey = protectedKey is not null,
            JobId = job.Job.Id,
            Version = 1,
        };
        await scope.TaskInsertWithEventAndCommitAsync(task, TaskJson.SerializeForLog(task), now, cancellationToken).ConfigureAwait(false);
        signal.Raise();
        metrics.StatusEntered(task);
        return (task, true);
    }

    /// <summary>The user's task, or null when there is none or it is someone else's.</summary>
    public async Task<VideoTask?> GetAsync(string userId, string taskId, CancellationToken cancellationToken)
    {
        if (!TaskIds.IsWellFormed(taskId))
        {
            return null;
        }

        var task = await store.TaskGetAsync(taskId, cancellationToken).ConfigureAwait(false);
        return task is not null && task.UserId == userId ? task : null;
    }

    /// <summary>Characters of images one page of <see cref="ListAsync"/> may hold before it is cut (at least one task).</summary>
    public const long ListPageMaxImageChars = 16L * 1024 * 1024;

    /// <summary>
    /// One page of the user's tasks, newest first; the cursor is the last task's id. A page holds fewer than
    /// <paramref name="limit"/> tasks when their images pass <see cref="ListPageMaxImageChars"/>: a hundred tasks at
    /// the image cap would be 800 MiB in one answer. The cursor is then set too, so the client pages on.
    /// </summary>
    public async Task<(IReadOnlyList<VideoTask> Items, string? NextCursor)> ListAsync(
        string userId, VideoTaskStatus? status, int limit, string? afterTaskId, CancellationToken cancellationToken)
    {
        var page = await store.TaskListAsync(userId, status, afterTaskId, limit + 1, ListPageMaxImageChars, cancellationToken).ConfigureAwait(false);
        if (page.Count > limit)
        {
            return (page.Take(limit).ToList(), page[limit - 1].Id);
        }

        // Cut by the image budget (or ending just there: then the next page is empty, which is harmless).
        var imageChars = page.Sum(t => t.Images.Sum(i => (long)i.Length));
        return imageChars > ListPageMaxImageChars ? (page, page[^1].Id) : (page, null);
    }

    /// <summary>
    /// Cancels a queued or running task: its job is cancelled (a running handler is signalled, a waiting poll never
    /// runs again) and, where the provider can, the upstream job is cancelled by a job of its own.
    /// </summary>
    /// <remarks>The images of the answer are read after the commit without the caller's token: the cancel has happened.</remarks>
    public async Task<TaskActionResult> CancelAsync(string userId, string taskId, CancellationToken cancellationToken) =>
        await WithImagesAsync(await CancelTaskAsync(userId, taskId, cancellationToken).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);

    /// <summary><see cref="CancelAsync"/> but for the images of the task it answers with (read without them).</summary>
    private async Task<TaskActionResult> CancelTaskAsync(string userId, string taskId, CancellationToken cancellationToken)
    {
        if (!TaskIds.IsWellFormed(taskId))
        {
            return TaskActionResult.NotFound;
        }

        VideoTask cancelled;
        await using (var scope = await store.BeginAsync(WriteDurability.Durable, cancellationToken).ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            var task = await scope.TaskGetAsync(taskId, cancellationToken).ConfigureAwait(false);
            if (task is null || task.UserId != userId)
            {
                return TaskActionResult.NotFound;
            }

            if (task.Status == VideoTaskStatus.Cancelled)
            {
                return new TaskActionResult(TaskActionStatus.Done, task);
            }

            if (task.Status.IsTerminal())
            {
                return new TaskActionResult(TaskActionStatus.NotAllowed, task, $"The task has {task.Status.ToWire()}; only queued or running tasks can be cancelled.");
            }

            // The user's key is kept for an upstream cancel: now, when the upstream accepted the task, or once a
            // submit in flight returns (the submit handler then cancels the job it made, or erases the key).
            var cancellable = providers.Find(task.Provider) is { CanCancel: true };
            var cancelUpstream = task.UpstreamTaskId is not null && cancellable;
            var keepApiKey = cancelUpstream || (cancellable && task is { Status: VideoTaskStatus.Running, SubmitState: SubmitState.InFlight });
            cancelled = await TaskChanges.ApplyAsync(scope, task, TaskRules.Cancel(task, now, keepApiKey), now, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Task {taskId} changed inside its own write transaction.");
            if (cancelUpstream)
            {
                await engine.InsertAsync(TaskJobs.NewCancelUpstream(task.Id, task.UpstreamTaskId!), scope.Transaction, cancellationToken).ConfigureAwait(false);
            }

            if (task.Status == VideoTaskStatus.Running)
            {
                await slots.WakeAfterSlotFreedAsync(scope, cancelled, now, cancellationToken).ConfigureAwait(false);
            }

            await webhooks.OnChangedAsync(scope, task, cancelled, cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        signal.Raise();
        metrics.StatusEntered(cancelled);

        // After the commit: the task is already cancelled for good, so a job that runs on before this lands sees
        // that and stops; this only stops it sooner (a waiting poll is never claimed again).
        // If it fails (the database busy), the cancel has still happened: the caller is told so, not sent a 503.
        if (cancelled.JobId is { } jobId)
        {
            try
            {
                await engine.CancelAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogJobCancelFailed(e, cancelled.Id, jobId);
            }
        }

        return new TaskActionResult(TaskActionStatus.Done, cancelled);
    }

    /// <summary>
    /// Queues a failed task again as a new attempt. A task made with the user's own upstream key needs it again
    /// (it was erased when the task failed).
    /// </summary>
    /// <remarks>The images of the answer are read after the commit without the caller's token: the retry has happened.</remarks>
    public async Task<TaskActionResult> RetryAsync(string userId, string taskId, string? userApiKey, CancellationToken cancellationToken) =>
        await WithImagesAsync(await RetryTaskAsync(userId, taskId, userApiKey, cancellationToken).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);

    /// <summary><see cref="RetryAsync"/> but for the images of the task it answers with (read without them).</summary>
    private async Task<TaskActionResult> RetryTaskAsync(string userId, string taskId, string? userApiKey, CancellationToken cancellationToken)
    {
        if (!TaskIds.IsWellFormed(taskId))
        {
            return TaskActionResult.NotFound;
        }

        VideoTask retried;
        await using (var scope = await store.BeginAsync(WriteDurability.Durable, cancellationToken).ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            var task = await scope.TaskGetAsync(taskId, cancellationToken).ConfigureAwait(false);
            if (task is null || task.UserId != userId)
            {
                return TaskActionResult.NotFound;
            }

            if (task.Status != VideoTaskStatus.Failed)
            {
                return new TaskActionResult(TaskActionStatus.NotAllowed, task, $"The task is {task.Status.ToWire()}; only failed tasks can be retried.");
            }

            if (userApiKey is null && task.UsesOwnApiKey)
            {
                return new TaskActionResult(
                    TaskActionStatus.Invalid,
                    task,
                    "This task used your own upstream key, which was erased when the task ended. Send it again in the X-User-Api-Key header to retry.",
                    "X-User-Api-Key");
            }

            var protectedKey = userApiKey is null ? null : protector.Protect(userApiKey);
            var job = await engine.InsertAsync(TaskJobs.NewSubmit(task.Id, task.Attempt + 1, _options.SubmitMaxAttempts), scope.Transaction, cancellationToken).ConfigureAwait(false);
            var changed = TaskRules.Retry(task, now, protectedKey) is { } r ? r with { JobId = job.Job.Id } : null;
            retried = await TaskChanges.ApplyAsync(scope, task, changed, now, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Task {taskId} changed inside its own write transaction.");
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        signal.Raise();
        metrics.StatusEntered(retried);
        return new TaskActionResult(TaskActionStatus.Done, retried);
    }

    /// <summary>
    /// The task with its images, for an answer to the client: write transactions read tasks without them (see
    /// <see cref="ITaskWriteScope.TaskGetAsync"/>), and they are read here, after the write gate is released. They
    /// never change within a task, so a read after the commit is the task's own.
    /// </summary>
    private async Task<VideoTask> WithImagesAsync(VideoTask task, CancellationToken cancellationToken) =>
        task.ImagesLoaded ? task : task.WithImages(await store.TaskImagesGetAsync(task.Id, cancellationToken).ConfigureAwait(false));

    private async Task<TaskActionResult> WithImagesAsync(TaskActionResult result, CancellationToken cancellationToken) =>
        result.Task is { } task ? result with { Task = await WithImagesAsync(task, cancellationToken).ConfigureAwait(false) } : result;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: cancelled, but stopping its job {JobId} early failed; the job sees the task cancelled and stops by itself.")]
    private partial void LogJobCancelFailed(Exception exception, string taskId, long jobId);
}
