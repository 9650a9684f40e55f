using System.Text.Json.Serialization;
using GridQueue.Engine.Jobs;

namespace GridQueue.Tasks.Jobs;

/// <summary>The engine job kinds of the tasks layer and how they are made.</summary>
public static class TaskJobs
{
    public const string Submit = "video.submit";
    public const string Poll = "video.poll";
    public const string CancelUpstream = "video.cancel_upstream";

    /// <param name="wakeVersion">
    /// For a task woken from its waiting line: the version it was woken at, so the new job's unique key differs
    /// from the parked job's, which may still be finishing.
    /// </param>
    public static NewJob NewSubmit(string taskId, int attempt, int maxAttempts, long? wakeVersion = null) =>
        NewJob.Create(Submit, new TaskJobArgs(taskId, attempt)) with
        {
            MaxAttempts = maxAttempts,
            UniqueKey = wakeVersion is { } v ? $"{Submit}:{taskId}:{attempt}:w{v}" : $"{Submit}:{taskId}:{attempt}",
        };

    public static NewJob NewPoll(string taskId, int attempt, DateTimeOffset at) =>
        NewJob.Create(Poll, new TaskJobArgs(taskId, attempt)) with
        {
            ScheduledAt = at,
            UniqueKey = $"{Poll}:{taskId}:{attempt}",
        };

    public static NewJob NewCancelUpstream(string taskId, string upstreamTaskId) =>
        NewJob.Create(CancelUpstream, new CancelUpstreamArgs(taskId, upstreamTaskId)) with
        {
            MaxAttempts = 5,
        };
}

/// <summary>Args of submit and poll: the task and the attempt the job belongs to (a retry makes new jobs).</summary>
public sealed record TaskJobArgs(
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("attempt")] int Attempt);

/// <summary>Args of an upstream cancel.</summary>
public sealed record CancelUpstreamArgs(
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("upstream_task_id")] string UpstreamTaskId);
