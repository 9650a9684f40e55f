using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Auth;
using GridQueue.Server.Hosting;
using GridQueue.Tasks.Admin;
using GridQueue.Tasks.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace GridQueue.Server.Api.Admin;

/// <summary>The admin console's routes under /api/v1/admin, each behind the admin policy (403 FORBIDDEN otherwise).</summary>
public static class AdminEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Minutes of throughput the summary reports.</summary>
    public const int ThroughputMinutes = 15;

    public static RouteGroupBuilder MapAdminEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var admin = api.MapGroup("/admin").RequireAuthorization(AdminPolicy.Name).WithTags(EndpointTags.Admin)
            .ProducesUnauthorized()
            .ProducesErrors(StatusCodes.Status403Forbidden, "The token is valid but not an admin's (Admin__ClaimType/Admin__ClaimValue, Admin__UserIds).", ErrorCodes.Forbidden)
            .ProducesUnavailable().ProducesInternal();
        admin.MapGet("/summary", SummaryAsync).WithName("AdminSummary").WithSummary("Job counts, running jobs and recent throughput")
            .ProducesData<AdminSummary>();
        admin.MapGet("/dead-letters", DeadLettersAsync).WithName("AdminListDeadLetters").WithSummary("Dead letters (discarded jobs) with their error history, oldest first")
            .WithQueryParameter(new DocumentedParameter("kind", ParameterLocation.Query, "Only jobs of this kind."))
            .WithQueryParameter(new DocumentedParameter("queue", ParameterLocation.Query, "Only jobs of this queue."))
            .WithQueryParameter(LimitParameter())
            .WithQueryParameter(new DocumentedParameter("after_id", ParameterLocation.Query, "The next_after_id of the previous page.") { Type = JsonSchemaType.Integer, Minimum = 0 })
            .ProducesData<DeadLetterPage>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "An unknown parameter, or a limit or after_id that is not valid.", ErrorCodes.ValidationError);
        admin.MapPost("/dead-letters/{job_id}/redrive", RedriveOneAsync).WithName("AdminRedriveDeadLetter").WithSummary("Put one dead letter back to run, with fresh attempts")
            .WithDescription("A submit or poll job of a task that has ended is refused (its owner may retry the task instead).")
            .ProducesData<DeadLetterActionResult>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "The id is not a job id (VALIDATION_ERROR), or the job cannot be redriven (BAD_REQUEST, the message says why).", ErrorCodes.ValidationError, ErrorCodes.BadRequest)
            .ProducesErrors(StatusCodes.Status404NotFound, "No such job.", ErrorCodes.NotFound);
        admin.MapPost("/dead-letters/{job_id}/purge", PurgeOneAsync).WithName("AdminPurgeDeadLetter").WithSummary("Delete one dead letter")
            .ProducesData<DeadLetterActionResult>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "The id is not a job id (VALIDATION_ERROR), or the job is not a dead letter (BAD_REQUEST).", ErrorCodes.ValidationError, ErrorCodes.BadRequest)
            .ProducesErrors(StatusCodes.Status404NotFound, "No such job.", ErrorCodes.NotFound);
        admin.MapPost("/dead-letters/redrive", RedriveFilteredAsync).WithName("AdminRedriveDeadLetters").WithSummary("Redrive every dead letter matching a filter")
            .WithDescription($"Needs \"confirm\": true. At most {DeadLetters.MaxPerAction} per call; the answer lists what was redriven and what was refused.")
            .Accepts<DeadLetterFilterRequest>(EndpointDocs.Json)
            .ProducesData<DeadLetterActionResult>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "The body is not a filter with \"confirm\": true.", ErrorCodes.ValidationError)
            .ProducesPayloadTooLarge();
        admin.MapPost("/dead-letters/purge", PurgeFilteredAsync).WithName("AdminPurgeDeadLetters").WithSummary("Delete every dead letter matching a filter")
            .WithDescription($"Needs \"confirm\": true. At most {DeadLetters.MaxPerAction} per call.")
            .Accepts<DeadLetterFilterRequest>(EndpointDocs.Json)
            .ProducesData<DeadLetterActionResult>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "The body is not a filter with \"confirm\": true.", ErrorCodes.ValidationError)
            .ProducesPayloadTooLarge();
        admin.MapGet("/tasks", TasksAsync).WithName("AdminListTasks").WithSummary("Tasks of every user, newest first")
            .WithQueryParameter(new DocumentedParameter("status", ParameterLocation.Query, "Only tasks in this status.") { Values = StatusNames })
            .WithQueryParameter(new DocumentedParameter("user_id", ParameterLocation.Query, "Only this user's tasks."))
            .WithQueryParameter(new DocumentedParameter("provider", ParameterLocation.Query, "Only tasks of this provider."))
            .WithQueryParameter(LimitParameter())
            .WithQueryParameter(new DocumentedParameter("cursor", ParameterLocation.Query, "The next_cursor of the previous page."))
            .ProducesData<TaskPageSchema>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "An unknown parameter, or a status, limit or cursor that is not valid.", ErrorCodes.ValidationError);
        admin.MapGet("/usage", UsageAsync).WithName("AdminUsage").WithSummary("Per user: tasks, running tasks and failed tasks")
            .WithQueryParameter(LimitParameter())
            .ProducesData<UsagePage>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "An unknown parameter, or a limit that is not valid.", ErrorCodes.ValidationError);
        admin.MapGet("/audit", AuditAsync).WithName("AdminAuditLog").WithSummary("What admins did (redrive, purge), newest first")
            .WithQueryParameter(LimitParameter())
            .WithQueryParameter(new DocumentedParameter("before", ParameterLocation.Query, "The next_before of the previous page.") { Type = JsonSchemaType.Integer, Minimum = 1 })
            .ProducesData<AuditPage>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "An unknown parameter, or a limit or before that is not valid.", ErrorCodes.ValidationError);
        return api;
    }

    private static readonly string[] StatusNames = [.. Enum.GetValues<VideoTaskStatus>().Select(s => s.ToWire())];

    private static DocumentedParameter LimitParameter() =>
        new("limit", ParameterLocation.Query, $"Items per page, 1–{MaxLimit} (default {DefaultLimit}).") { Type = JsonSchemaType.Integer, Minimum = 1, Maximum = MaxLimit };

    private static async Task<IResult> SummaryAsync(HttpContext http, JobEngine engine, IJobAdminStore jobs, TimeProvider time, CancellationToken cancellationToken)
    {
        if (AdminQuery.Read(http.Request.Query) is { Error: { } error })
        {
            return error;
        }

        var now = time.GetUtcNow();
        var counts = await jobs.JobCountByQueueAndStateAsync(cancellationToken).ConfigureAwait(false);
        var running = await engine.ListAsync(new JobListQuery(JobState.Running, Limit: 100), cancellationToken).ConfigureAwait(false);
        var since = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-(ThroughputMinutes - 1));
        var finished = (await jobs.JobCountFinishedSinceAsync(since, TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false))
            .ToDictionary(b => b.BucketStart);
        var throughput = Enumerable.Range(0, ThroughputMinutes).Select(i =>
        {
            var start = since.AddMinutes(i);
            var (completed, failed) = finished.TryGetValue(start, out var b) ? (b.Completed, b.Discarded) : (0L, 0L);
            return new ThroughputItem(start, completed, failed, completed + failed == 0 ? 0 : Math.Round((double)failed / (completed + failed), 4));
        }).ToList();
        return AdminJson.Data(new AdminSummary(
            now,
            [.. counts.Select(c => new JobCountItem(c.Queue, c.State.ToStorageName(), c.Count))],
            [.. running.OrderBy(j => j.AttemptedAt).Select(j => new RunningJobItem(
                j.Id, j.Kind, j.Queue, j.LeaseOwner, j.Attempt, j.AttemptedAt,
                j.AttemptedAt is { } at ? Math.Round(Math.Max(0, (now - at).TotalSeconds), 1) : 0, j.LeaseExpiresAt))],
            throughput));
    }

    private static async Task<IResult> DeadLettersAsync(HttpContext http, DeadLetters deadLetters, CancellationToken cancellationToken)
    {
        var query = AdminQuery.Read(http.Request.Query, "kind", "queue", "after_id");
        if (query.Error is { } error)
        {
            return error;
        }

        var afterId = query.Long("after_id", 0);
        if (query.Error is { } afterError)
        {
            return afterError;
        }

        var items = await deadLetters.ListAsync(query.Text("kind"), query.Text("queue"), afterId, query.Limit + 1, cancellationToken).ConfigureAwait(false);
        var page = items.Take(query.Limit).ToList();
        return AdminJson.Data(new DeadLetterPage(
            [.. page.Select(j => new DeadLetterItem(
                j.Id, j.Kind, j.Queue, j.Args, j.Attempt, j.MaxAttempts, j.CreatedAt, j.FinalizedAt, DeadLetters.TaskIdOf(j),
                [.. j.Errors.Select(e => new JobErrorItem(e.Attempt, e.At, e.Message))]))],
            items.Count > query.Limit ? page[^1].Id : null));
    }

    private static Task<IResult> RedriveOneAsync(HttpContext http, [FromRoute(Name = "job_id"), Description("The job's id.")] string jobId, DeadLetters deadLetters, CancellationToken cancellationToken) =>
        OneAsync(http, jobId, (id, actor) => deadLetters.RedriveOneAsync(actor, id, cancellationToken));

    private static Task<IResult> PurgeOneAsync(HttpContext http, [FromRoute(Name = "job_id"), Description("The job's id.")] string jobId, DeadLetters deadLetters, CancellationToken cancellationToken) =>
        OneAsync(http, jobId, (id, actor) => deadLetters.PurgeOneAsync(actor, id, cancellationToken));

    private static async Task<IResult> OneAsync(HttpContext http, string jobId, Func<long, string, Task<DeadLetterActionResult?>> act)
    {
        if (!long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            return ApiErrors.Field("job_id", "job_id must be a positive whole number.");
        }

        var result = await act(id, http.UserId()).ConfigureAwait(false);
        return result switch
        {
            null => ApiErrors.NotFound("job"),
            { Done.Count: 0, Refused: [var refused, ..] } => ApiErrors.NotAllowed(refused.Reason),
            _ => AdminJson.Data(result),
        };
    }

    private static Task<IResult> RedriveFilteredAsync(HttpContext http, DeadLetters deadLetters, CancellationToken cancellationToken) =>
        FilteredAsync(http, DeadLetters.Redrive, deadLetters, cancellationToken);

    private static Task<IResult> PurgeFilteredAsync(HttpContext http, DeadLetters deadLetters, CancellationToken cancellationToken) =>
        FilteredAsync(http, DeadLetters.Purge, deadLetters, cancellationToken);

    private static async Task<IResult> FilteredAsync(HttpContext http, string action, DeadLetters deadLetters, CancellationToken cancellationToken)
    {
        DeadLetterFilterRequest? filter;
        try
        {
            filter = await JsonSerializer.DeserializeAsync<DeadLetterFilterRequest>(http.Request.Body, FilterJson, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return ApiErrors.Validation($"The body must be {{\"kind\"?: string, \"queue\"?: string, \"confirm\": true}} and nothing else: {e.Message}");
        }

        if (filter is not { Confirm: true })
        {
            return ApiErrors.Field("confirm", $"confirm must be true: the {action} applies to every matching dead letter.");
        }

        var result = await deadLetters.ApplyToFilteredAsync(http.UserId(), action, Blank(filter.Kind), Blank(filter.Queue), cancellationToken).ConfigureAwait(false);
        return AdminJson.Data(result);
    }

    private static readonly JsonSerializerOptions FilterJson = new() { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static async Task<IResult> TasksAsync(HttpContext http, IAdminStore store, CancellationToken cancellationToken)
    {
        var query = AdminQuery.Read(http.Request.Query, "status", "user_id", "provider", "cursor");
        VideoTaskStatus? status = null;
        if (query.Text("status") is { } statusText)
        {
            if (VideoTaskStatusNames.TryParse(statusText, out var parsed))
            {
                status = parsed;
            }
            else
            {
                query.Fail("status", "status must be one of queued, running, succeeded, failed, cancelled.");
            }
        }

        if (query.Text("cursor") is { } cursor && !TaskIds.IsWellFormed(cursor))
        {
            query.Fail("cursor", "cursor must be a next_cursor value from an earlier page.");
        }

        if (query.Error is { } error)
        {
            return error;
        }

        var items = await store.TaskListAllAsync(
            new TaskAdminQuery(status, query.Text("user_id"), query.Text("provider"), query.Text("cursor"), query.Limit + 1), cancellationToken).ConfigureAwait(false);
        var page = items.Take(query.Limit).ToList();
        return TaskResponses.Page(page, items.Count > query.Limit ? page[^1].Id : null);
    }

    private static async Task<IResult> UsageAsync(HttpContext http, IAdminStore store, CancellationToken cancellationToken)
    {
        var query = AdminQuery.Read(http.Request.Query);
        if (query.Error is { } error)
        {
            return error;
        }

        var usage = await store.TaskUsageByUserAsync(query.Limit, cancellationToken).ConfigureAwait(false);
        return AdminJson.Data(new UsagePage([.. usage.Select(u => new UsageItem(u.UserId, u.Tasks, u.Running, u.Failed))]));
    }

    private static async Task<IResult> AuditAsync(HttpContext http, IAdminStore store, CancellationToken cancellationToken)
    {
        var query = AdminQuery.Read(http.Request.Query, "before");
        var before = query.Long("before", 0);
        if (query.Error is { } error)
        {
            return error;
        }

        var items = await store.AuditListAsync(before > 0 ? before : null, query.Limit + 1, cancellationToken).ConfigureAwait(false);
        var page = items.Take(query.Limit).ToList();
        return AdminJson.Data(new AuditPage(
            [.. page.Select(a => new AuditItem(a.Id, a.At, a.Actor, a.Action, a.Target, a.Detail))],
            items.Count > query.Limit ? page[^1].Id : null));
    }
}
