using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GridQueue.Server.Api.Admin;

// The admin routes' bodies. The routes serialize these very types, so the OpenAPI document and the answers agree.

/// <summary>GET /api/v1/admin/summary: what the console shows at a glance, read in one go.</summary>
public sealed record AdminSummary(
    [property: JsonPropertyName("generated_at")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("counts"), Description("Jobs per queue and state (pairs with no job left out).")] IReadOnlyList<JobCountItem> Counts,
    [property: JsonPropertyName("running"), Description("Running jobs, oldest lease first (at most 100).")] IReadOnlyList<RunningJobItem> Running,
    [property: JsonPropertyName("throughput"), Description("Jobs finished per minute over the last minutes, oldest first, every minute present.")] IReadOnlyList<ThroughputItem> Throughput);

public sealed record JobCountItem(
    [property: JsonPropertyName("queue")] string Queue,
    [property: JsonPropertyName("state"), AllowedValues("available", "scheduled", "running", "retryable", "completed", "cancelled", "discarded")] string State,
    [property: JsonPropertyName("count")] long Count);

public sealed record RunningJobItem(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("queue")] string Queue,
    [property: JsonPropertyName("node"), Description("The node holding the lease.")] string? Node,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("started_at"), Description("When this run claimed the job.")] DateTimeOffset? StartedAt,
    [property: JsonPropertyName("lease_age_seconds"), Description("Seconds since the run claimed the job.")] double LeaseAgeSeconds,
    [property: JsonPropertyName("lease_expires_at")] DateTimeOffset? LeaseExpiresAt);

public sealed record ThroughputItem(
    [property: JsonPropertyName("start"), Description("The minute's start.")] DateTimeOffset Start,
    [property: JsonPropertyName("completed")] long Completed,
    [property: JsonPropertyName("failed"), Description("Jobs discarded (dead letters) in the minute.")] long Failed,
    [property: JsonPropertyName("failure_rate"), Description("failed / (completed + failed); 0 when nothing finished.")] double FailureRate);

/// <summary>A dead letter: a discarded job with its error history.</summary>
public sealed record DeadLetterItem(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("queue")] string Queue,
    [property: JsonPropertyName("args"), Description("The handler's arguments, as JSON text.")] string Args,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("max_attempts")] int MaxAttempts,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("discarded_at")] DateTimeOffset? DiscardedAt,
    [property: JsonPropertyName("task_id"), Description("The task the job drives, for the tasks layer's jobs.")] string? TaskId,
    [property: JsonPropertyName("errors"), Description("The most recent failures, oldest first.")] IReadOnlyList<JobErrorItem> Errors);

public sealed record JobErrorItem(
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("message")] string Message);

public sealed record DeadLetterPage(
    [property: JsonPropertyName("items")] IReadOnlyList<DeadLetterItem> Items,
    [property: JsonPropertyName("next_after_id"), Description("Pass as after_id for the next page; null on the last page.")] long? NextAfterId);

/// <summary>What a redrive or purge did: the jobs it changed and those it left, each with the reason.</summary>
public sealed record DeadLetterActionResult(
    [property: JsonPropertyName("action"), AllowedValues("redrive", "purge")] string Action,
    [property: JsonPropertyName("done"), Description("Ids of the jobs redriven (now available) or purged (deleted).")] IReadOnlyList<long> Done,
    [property: JsonPropertyName("refused"), Description("Jobs left as they were, with the reason.")] IReadOnlyList<RefusedItem> Refused);

public sealed record RefusedItem(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>The body of the filtered redrive and purge.</summary>
public sealed class DeadLetterFilterRequest
{
    [JsonPropertyName("kind"), Description("Only dead letters of this job kind; absent: every kind.")]
    public string? Kind { get; init; }

    [JsonPropertyName("queue"), Description("Only dead letters of this queue; absent: every queue.")]
    public string? Queue { get; init; }

    [JsonPropertyName("confirm"), Required, Description("Must be true: the action applies to every matching dead letter (at most 500 per call).")]
    public bool Confirm { get; init; }
}

public sealed record UsageItem(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("tasks")] long Tasks,
    [property: JsonPropertyName("running")] long Running,
    [property: JsonPropertyName("failed")] long Failed);

public sealed record UsagePage([property: JsonPropertyName("items"), Description("Users with the most tasks first.")] IReadOnlyList<UsageItem> Items);

public sealed record AuditItem(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("actor"), Description("The admin's user id.")] string Actor,
    [property: JsonPropertyName("action"), Description("redrive or purge.")] string Action,
    [property: JsonPropertyName("target"), Description("The job, or the filter of a filtered action.")] string Target,
    [property: JsonPropertyName("detail"), Description("What came of it.")] string Detail);

public sealed record AuditPage(
    [property: JsonPropertyName("items"), Description("Newest first.")] IReadOnlyList<AuditItem> Items,
    [property: JsonPropertyName("next_before"), Description("Pass as before for the next page; null on the last page.")] long? NextBefore);
