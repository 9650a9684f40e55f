namespace GridQueue.Client;

/// <summary>The contract's task object, as the server sends it.</summary>
public sealed record VideoTask
{
    /// <summary>The server's task id (<c>tsk_…</c>).</summary>
    public required string TaskId { get; init; }

    /// <summary>The owner: the token's <c>sub</c>.</summary>
    public required string UserId { get; init; }

    /// <summary>The provider generating the video, e.g. <c>simulator</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The model name sent upstream, e.g. <c>sora-2</c>.</summary>
    public required string Model { get; init; }

    /// <summary>The prompt (trimmed by the server).</summary>
    public required string Prompt { get; init; }

    /// <summary><c>16:9</c>, <c>9:16</c> or <c>1:1</c>.</summary>
    public required string AspectRatio { get; init; }

    /// <summary>Video length in seconds.</summary>
    public int Duration { get; init; }

    /// <summary>Whether HD was asked for.</summary>
    public bool Hd { get; init; }

    /// <summary>Reference images: http(s) URLs or data URIs.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>The task's status.</summary>
    public required VideoTaskStatus Status { get; init; }

    /// <summary>0–100, never decreasing within one attempt; 100 when succeeded.</summary>
    public int Progress { get; init; }

    /// <summary>Set exactly when <see cref="Status"/> is <see cref="VideoTaskStatus.Succeeded"/>.</summary>
    public string? VideoUrl { get; init; }

    /// <summary>Set when failed (and may say why a task was cancelled).</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>1, plus one per retry.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The upstream provider's id for the job, once submitted.</summary>
    public string? UpstreamTaskId { get; init; }

    /// <summary>When the task was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the task last changed (UTC).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the task reached a terminal status (UTC); null while it is not terminal.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The callback_url the task was generated with; null for none (or from a server without webhooks).</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>True when succeeded, failed or cancelled: only a retry of a failed task changes it again.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsTerminal => Status is VideoTaskStatus.Succeeded or VideoTaskStatus.Failed or VideoTaskStatus.Cancelled;

    /// <summary>
    /// Whether this is a later state of the same task than <paramref name="other"/>, by the contract's rules (a retry
    /// raises the attempt; within one the status only moves forward and progress never decreases; then updated_at).
    /// Use it to keep the newest of states read from a list, a status call and the event stream.
    /// </summary>
    public bool IsNewerThan(VideoTask other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return TaskOrder.IsNewer(this, other);
    }

    /// <summary>Field-by-field equality; <see cref="Images"/> is compared by its items, not by reference.</summary>
    public bool Equals(VideoTask? other) =>
        other is not null
        && TaskId == other.TaskId && UserId == other.UserId && Provider == other.Provider && Model == other.Model
        && Prompt == other.Prompt && AspectRatio == other.AspectRatio && Duration == other.Duration && Hd == other.Hd
        && Images.SequenceEqual(other.Images) && Status == other.Status && Progress == other.Progress
        && VideoUrl == other.VideoUrl && ErrorMessage == other.ErrorMessage && Attempt == other.Attempt
        && UpstreamTaskId == other.UpstreamTaskId && CreatedAt == other.CreatedAt && UpdatedAt == other.UpdatedAt
        && CompletedAt == other.CompletedAt && CallbackUrl == other.CallbackUrl;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TaskId, Status, Progress, Attempt, UpdatedAt);
}
