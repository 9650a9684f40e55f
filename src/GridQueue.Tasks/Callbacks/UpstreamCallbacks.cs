using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;
using GridQueue.Tasks.Jobs;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Providers.T8Star;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Callbacks;

/// <summary>What a callback did.</summary>
public enum CallbackOutcome
{
    /// <summary>Unknown, forged or stale (the task ended, was retried, or waits on no poll): nothing changed.</summary>
    NotFound,

    /// <summary>The task's poll job is due now (or already was, or is running this moment).</summary>
    Woken,
}

/// <summary>
/// Upstream callbacks as a wake-up. A provider that can call back (t8star's <c>notify_hook</c>) is given a URL
/// naming the task and carrying a <see cref="CallbackTokens">token</see>; a call to it only makes that task's waiting
/// poll job due now. Nothing in the call is believed: the poll asks the upstream as usual, so a forged or replayed
/// callback can at most move a poll forward, and a lost one only leaves the task to its regular poll.
/// <para>
/// A callback that woke the poll is followed by one more wake-up <see cref="FollowUpDelay"/> later, which does
/// nothing if the task has ended by then. It covers the two cases where the first wake-up cannot end the task: the
/// upstream called back before its status showed the end, or the callback came while the task's poll was running
/// (that poll then reschedules itself a whole interval ahead).
/// </para>
/// </summary>
public sealed partial class UpstreamCallbacks(
    IOptions<UpstreamCallbackOptions> options,
    CallbackTokens tokens,
    ITaskStore store,
    JobEngine engine,
    TimeProvider time,
    ILogger<UpstreamCallbacks> logger) : IDisposable
{
    /// <summary>When a callback's second wake-up comes.</summary>
    public static readonly TimeSpan FollowUpDelay = TimeSpan.FromSeconds(2);

    /// <summary>The pending second wake-up per task (a newer callback replaces it); bounded by the callback rate limits.</summary>
    private readonly ConcurrentDictionary<string, ITimer> _followUps = new(StringComparer.Ordinal);

    /// <summary>The route under the public URL, before "{provider}/{task_id}/{token}".</summary>
    public const string RoutePrefix = "api/v1/callbacks/";

    private readonly Uri? _base = options.Value.BaseUri;

    /// <summary>True when a public URL is configured, so callback URLs are sent.</summary>
    public bool Enabled => _base is not null;

    /// <summary>Only providers whose upstream format has a callback get one.</summary>
    public static bool Supports(string provider) => provider == T8StarProvider.ProviderName;

    /// <summary>The callback URL for this attempt of <paramref name="task"/>, or null when callbacks are off or the provider has none.</summary>
    public Uri? UrlFor(string provider, VideoTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (_base is null || !Supports(provider))
        {
            return null;
        }

        var token = tokens.Make(provider, task.Id, task.Attempt);
        return new Uri(_base, $"{RoutePrefix}{Uri.EscapeDataString(provider)}/{Uri.EscapeDataString(task.Id)}/{token}");
    }

    /// <summary>
    /// The attempt <paramref name="token"/> was issued for, when it is a token this server issued for this provider
    /// and task; null otherwise. Reads nothing from storage, so it is cheap enough to answer floods with.
    /// </summary>
    public int? Verify(string provider, string taskId, string token) =>
        Supports(provider) ? tokens.AttemptOf(provider, taskId, token) : null;

    /// <summary>
    /// Makes the poll of <paramref name="attempt"/> of the task due now when the task still waits on it (running,
    /// accepted upstream, this attempt). Never inserts a job and never touches a running one, so a task is never
    /// polled twice at once.
    /// </summary>
    public async Task<CallbackOutcome> WakeAsync(string provider, string taskId, int attempt, CancellationToken cancellationToken)
    {
        var outcome = await WakeOnceAsync(provider, taskId, attempt, cancellationToken).ConfigureAwait(false);
        if (outcome == CallbackOutcome.Woken)
        {
            FollowUp(provider, taskId, attempt);
        }

        return outcome;
    }

    public void Dispose()
    {
        foreach (var taskId in _followUps.Keys)
        {
            if (_followUps.TryRemove(taskId, out var timer))
            {
                timer.Dispose();
            }
        }
    }

    private void FollowUp(string provider, string taskId, int attempt)
    {
        var self = new StrongBox<ITimer?>();
        var timer = time.CreateTimer(_ => _ = FollowUpAsync(provider, taskId, attempt, self.Value!), null, FollowUpDelay, Timeout.InfiniteTimeSpan);
        self.Value = timer;
        _followUps.AddOrUpdate(taskId, timer, (_, previous) =>
        {
            previous.Dispose();
            return timer;
        });
    }

    private async Task FollowUpAsync(string provider, string taskId, int attempt, ITimer timer)
    {
        _followUps.TryRemove(new KeyValuePair<string, ITimer>(taskId, timer)); // not a newer callback's
        await timer.DisposeAsync().ConfigureAwait(false);
        try
        {
            await WakeOnceAsync(provider, taskId, attempt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The task's regular poll still comes; this only made it come sooner.
            LogFollowUpFailed(e, taskId);
        }
    }

    private async Task<CallbackOutcome> WakeOnceAsync(string provider, string taskId, int attempt, CancellationToken cancellationToken)
    {
        var task = await store.TaskGetWithoutImagesAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (task is not { Status: VideoTaskStatus.Running, SubmitState: SubmitState.Accepted, JobId: { } jobId }
            || task.Attempt != attempt
            || task.Provider != provider)
        {
            return CallbackOutcome.NotFound;
        }

        // The poll job was stored with the upstream id (SubmitHandler), so a running, accepted task names it.
        var job = await engine.MakeDueAsync(jobId, cancellationToken).ConfigureAwait(false);
        return job is { Kind: TaskJobs.Poll } && !job.State.IsFinished() ? CallbackOutcome.Woken : CallbackOutcome.NotFound;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The second wake-up after an upstream callback for task {TaskId} failed; its regular poll ends it.")]
    private partial void LogFollowUpFailed(Exception exception, string taskId);
}
