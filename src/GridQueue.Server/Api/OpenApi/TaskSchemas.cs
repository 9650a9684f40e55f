using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using GridQueue.Tasks.Service;

namespace GridQueue.Server.Api.OpenApi;

// The shapes of the contract's task bodies, for the OpenAPI document only: the routes read and write JSON by hand
// (GenerateRequestReader, TaskJson), so these types are never serialized. The tests check every real answer against
// the schemas generated from them, so a field added to TaskJson without one here fails there.

/// <summary>The contract's task object.</summary>
[Description("A video task, as every task route and the event stream send it.")]
[JsonNumberHandling(JsonNumberHandling.Strict)] // integers only (the web defaults would also allow strings)
public sealed class TaskSchema
{
    [JsonPropertyName("task_id"), Description("The server's own id (tsk_ followed by a ULID).")]
    public required string TaskId { get; init; }

    [JsonPropertyName("user_id"), Description("The owner: the token's sub claim.")]
    public required string UserId { get; init; }

    [JsonPropertyName("provider")]
    public required string Provider { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("aspect_ratio"), AllowedValues("16:9", "9:16", "1:1")]
    public required string AspectRatio { get; init; }

    [JsonPropertyName("duration"), Range(TaskLimits.DurationMin, TaskLimits.DurationMax), Description("Seconds.")]
    public required int Duration { get; init; }

    [JsonPropertyName("hd")]
    public required bool Hd { get; init; }

    [JsonPropertyName("images"), Description("http(s) URLs or data:image/... URIs, as sent.")]
    public required IReadOnlyList<string> Images { get; init; }

    [JsonPropertyName("status"), AllowedValues("queued", "running", "succeeded", "failed", "cancelled")]
    [Description("queued → running → succeeded | failed; queued | running → cancelled; failed → queued only by a retry.")]
    public required string Status { get; init; }

    [JsonPropertyName("progress"), Range(0, 100), Description("Never decreases within one attempt; 100 when succeeded.")]
    public required int Progress { get; init; }

    [JsonPropertyName("video_url"), Description("Set exactly when the status is succeeded.")]
    public required string? VideoUrl { get; init; }

    [JsonPropertyName("error_message"), Description("Set when failed; may say why a task was cancelled.")]
    public required string? ErrorMessage { get; init; }

    [JsonPropertyName("attempt"), Range(1, int.MaxValue), Description("1, plus one per retry.")]
    public required int Attempt { get; init; }

    [JsonPropertyName("upstream_task_id"), Description("The provider's id for the task, once it accepted it.")]
    public required string? UpstreamTaskId { get; init; }

    [JsonPropertyName("created_at"), Description("ISO 8601, UTC, with Z.")]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("updated_at")]
    public required DateTimeOffset UpdatedAt { get; init; }

    [JsonPropertyName("completed_at"), Description("Set when the task reaches a terminal status.")]
    public required DateTimeOffset? CompletedAt { get; init; }

    // Not required: changes logged before the field existed are replayed without it.
    [JsonPropertyName("callback_url"), Description("The generate request's callback_url: where the task is delivered, signed, when it ends; null for none.")]
    public string? CallbackUrl { get; init; }
}

/// <summary>A page of the caller's tasks, newest first.</summary>
public sealed class TaskPageSchema
{
    [JsonPropertyName("items")]
    public required IReadOnlyList<TaskSchema> Items { get; init; }

    [JsonPropertyName("next_cursor"), Description("Pass as cursor for the next page; null on the last page.")]
    public required string? NextCursor { get; init; }
}

/// <summary>The body of POST /api/v1/video/generate.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
public sealed class GenerateRequestSchema
{
    [JsonPropertyName("provider"), Description("A configured provider (GET /api/v1/info lists them); default: the server's default provider.")]
    public string? Provider { get; init; }

    [JsonPropertyName("prompt"), StringLength(TaskLimits.PromptMaxLength, MinimumLength = 1), Description("1–4000 characters after trimming.")]
    public required string Prompt { get; init; }

    [JsonPropertyName("model"), StringLength(TaskLimits.ModelMaxLength, MinimumLength = 1)]
    public required string Model { get; init; }

    [JsonPropertyName("aspect_ratio"), AllowedValues("16:9", "9:16", "1:1"), Description("Default 16:9.")]
    public string? AspectRatio { get; init; }

    [JsonPropertyName("hd"), Description("Default false.")]
    public bool? Hd { get; init; }

    [JsonPropertyName("duration"), Range(TaskLimits.DurationMin, TaskLimits.DurationMax), Description("Seconds; default 10.")]
    public int? Duration { get; init; }

    [JsonPropertyName("images"), MaxLength(TaskLimits.MaxImages)]
    [Description("http(s) URLs (at most 2,048 characters) or data:image/... URIs (at most 4 MiB each); all together at most 8 MiB.")]
    public IReadOnlyList<string>? Images { get; init; }

    [JsonPropertyName("callback_url"), Description("https URL (or an allow-listed host) that gets the task, signed, when it ends. Needs Webhooks__Secret on the server.")]
    public string? CallbackUrl { get; init; }
}
