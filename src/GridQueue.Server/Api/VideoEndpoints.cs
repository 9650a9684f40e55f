using System.ComponentModel;
using System.Globalization;
using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Auth;
using GridQueue.Server.Hosting;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Service;
using GridQueue.Tasks.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace GridQueue.Server.Api;

/// <summary>The task routes of the contract: generate, status, list, cancel, retry.</summary>
public static class VideoEndpoints
{
    public const int DefaultListLimit = 20;
    public const int MaxListLimit = 100;

    public static RouteGroupBuilder MapVideoEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var video = api.MapGroup("/video").RequireAuthorization().WithTags(EndpointTags.Tasks)
            .ProducesUnauthorized().ProducesRateLimited().ProducesUnavailable().ProducesInternal();
        video.MapPost("/generate", GenerateAsync).RequireRateLimiting(RateLimits.GeneratePolicy)
            .WithName("GenerateVideo").WithSummary("Submit a video task")
            .WithDescription("Stores the task (status queued) and answers at once; the provider is called afterwards.")
            .Accepts<GenerateRequestSchema>(EndpointDocs.Json)
            .WithRequestHeader(RequestHeaders.IdempotencyKey, "1–255 characters: the same user sending the same key within 24 h gets the first task back, and no second task is made.")
            .WithRequestHeader(RequestHeaders.UserApiKey, "The user's own upstream key for this task's upstream calls; stored encrypted, erased when the task ends, never returned.")
            .WithRequestHeader(RequestHeaders.UserGeminiKey, "Accepted as X-User-Api-Key.")
            .ProducesData<TaskSchema>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "A field is missing, of the wrong type or out of range; malformed JSON; an unknown provider; a bad header.", ErrorCodes.ValidationError)
            .ProducesPayloadTooLarge();
        video.MapGet("/status/{task_id}", StatusAsync).RequireRateLimiting(RateLimits.ActionsPolicy)
            .WithName("GetTask").WithSummary("Read a task")
            .WithRequestHeader("If-None-Match", "An ETag this route sent: 304 while the task is unchanged.")
            .ProducesData<TaskSchema>()
            .WithResponseHeader(StatusCodes.Status200OK, "ETag", "The task's version; changes with every change of the task.")
            .Produces(StatusCodes.Status304NotModified)
            .WithResponseHeader(StatusCodes.Status304NotModified, "ETag", "The task's version, unchanged.")
            .ProducesNotFound();
        video.MapGet("/tasks", ListAsync).RequireRateLimiting(RateLimits.ActionsPolicy)
            .WithName("ListTasks").WithSummary("List the caller's tasks, newest first")
            .WithQueryParameter(new DocumentedParameter("status", ParameterLocation.Query, "Only tasks in this status.") { Values = StatusNames })
            .WithQueryParameter(new DocumentedParameter("limit", ParameterLocation.Query, $"Tasks per page, 1–{MaxListLimit} (default {DefaultListLimit}).")
            {
                Type = JsonSchemaType.Integer,
                Minimum = 1,
                Maximum = MaxListLimit,
            })
            .WithQueryParameter(new DocumentedParameter("cursor", ParameterLocation.Query, "The next_cursor of the previous page."))
            .ProducesData<TaskPageSchema>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "status, limit or cursor is not valid.", ErrorCodes.ValidationError);
        video.MapPost("/cancel/{task_id}", CancelAsync).RequireRateLimiting(RateLimits.ActionsPolicy)
            .WithName("CancelTask").WithSummary("Cancel a queued or running task")
            .WithDescription("Idempotent: an already cancelled task is answered as it is.")
            .ProducesData<TaskSchema>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "The task already succeeded or failed.", ErrorCodes.BadRequest)
            .ProducesNotFound();
        video.MapPost("/retry/{task_id}", RetryAsync).RequireRateLimiting(RateLimits.ActionsPolicy)
            .WithName("RetryTask").WithSummary("Retry a failed task")
            .WithDescription("The task goes back to queued with attempt + 1. A task made with the user's own key needs X-User-Api-Key again.")
            .WithRequestHeader(RequestHeaders.UserApiKey, "The user's own upstream key, needed again for a task that was made with one.")
            .WithRequestHeader(RequestHeaders.UserGeminiKey, "Accepted as X-User-Api-Key.")
            .ProducesData<TaskSchema>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "The task is not failed (BAD_REQUEST), or the user's key is missing or malformed (VALIDATION_ERROR).", ErrorCodes.BadRequest, ErrorCodes.ValidationError)
            .ProducesNotFound();
        return api;
    }

    private static readonly string[] StatusNames = [.. Enum.GetValues<VideoTaskStatus>().Select(s => s.ToWire())];

    private static RouteHandlerBuilder ProducesNotFound(this RouteHandlerBuilder builder) =>
        builder.ProducesErrors(StatusCodes.Status404NotFound, "No such task, or it belongs to another user (the answer never tells which).", ErrorCodes.NotFound);

    private static async Task<IResult> GenerateAsync(
        HttpContext http, TaskService tasks, ProviderCatalog providers, WebhookDestinations webhooks, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var (idempotencyKey, keyError) = RequestHeaders.ReadIdempotencyKey(http.Request);
        var (userApiKey, apiKeyError) = RequestHeaders.ReadUserApiKey(http.Request);
        var (command, bodyError) = await GenerateRequestReader.ReadAsync(http.Request, options.Value.MaxBodyBytes).ConfigureAwait(false);
        if ((keyError ?? apiKeyError ?? bodyError) is { } error)
        {
            return error;
        }

        var (request, errors) = GenerateTaskValidator.Validate(command!, providers, webhooks);
        if (request is null)
        {
            return ApiErrors.Validation(errors);
        }

        var (task, _) = await tasks.GenerateAsync(http.UserId(), request, idempotencyKey, userApiKey, cancellationToken).ConfigureAwait(false);
        return TaskResponses.Task(task);
    }

    private static async Task<IResult> StatusAsync(HttpContext http, [FromRoute(Name = "task_id"), Description("The task's task_id.")] string taskId, TaskService tasks, CancellationToken cancellationToken)
    {
        var task = await tasks.GetAsync(http.UserId(), taskId, cancellationToken).ConfigureAwait(false);
        if (task is null)
        {
            return ApiErrors.NotFound();
        }

        var etag = TaskResponses.ETag(task);
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() is var tag && (tag == "*" || tag == etag || tag == "W/" + etag))))
        {
            http.Response.Headers.ETag = etag;
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return TaskResponses.Task(task);
    }

    private static async Task<IResult> ListAsync(HttpContext http, TaskService tasks, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        VideoTaskStatus? status = null;
        if (query.TryGetValue("status", out var statusText) && !string.IsNullOrEmpty(statusText))
        {
            if (VideoTaskStatusNames.TryParse(statusText.ToString(), out var parsed))
            {
                status = parsed;
            }
            else
            {
                errors["status"] = "status must be one of queued, running, succeeded, failed, cancelled.";
            }
        }

        var limit = DefaultListLimit;
        if (query.TryGetValue("limit", out var limitText) && !string.IsNullOrEmpty(limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxListLimit))
        {
            errors["limit"] = $"limit must be a whole number from 1 to {MaxListLimit}.";
        }

        string? cursor = null;
        if (query.TryGetValue("cursor", out var cursorText) && !string.IsNullOrEmpty(cursorText))
        {
            cursor = cursorText.ToString();
            if (!TaskIds.IsWellFormed(cursor))
            {
                errors["cursor"] = "cursor must be a next_cursor value from an earlier page.";
            }
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Validation(errors);
        }

        var (items, next) = await tasks.ListAsync(http.UserId(), status, limit, cursor, cancellationToken).ConfigureAwait(false);
        return TaskResponses.Page(items, next);
    }

    private static async Task<IResult> CancelAsync(HttpContext http, [FromRoute(Name = "task_id"), Description("The task's task_id.")] string taskId, TaskService tasks, CancellationToken cancellationToken) =>
        ToResult(await tasks.CancelAsync(http.UserId(), taskId, cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> RetryAsync(HttpContext http, [FromRoute(Name = "task_id"), Description("The task's task_id.")] string taskId, TaskService tasks, CancellationToken cancellationToken)
    {
        var (userApiKey, apiKeyError) = RequestHeaders.ReadUserApiKey(http.Request);
        return apiKeyError ?? ToResult(await tasks.RetryAsync(http.UserId(), taskId, userApiKey, cancellationToken).ConfigureAwait(false));
    }

    private static IResult ToResult(TaskActionResult result) => result.Status switch
    {
        TaskActionStatus.Done => TaskResponses.Task(result.Task!),
        TaskActionStatus.NotFound => ApiErrors.NotFound(),
        TaskActionStatus.NotAllowed => ApiErrors.NotAllowed(result.Message!),
        _ => ApiErrors.Field(result.Field!, result.Message!),
    };
}
