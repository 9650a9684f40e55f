using System.Globalization;
using GridQueue.Server.Auth;
using GridQueue.Server.Hosting;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Service;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Api;

/// <summary>The task routes of the contract: generate, status, list, cancel, retry.</summary>
public static class VideoEndpoints
{
    public const int DefaultListLimit = 20;
    public const int MaxListLimit = 100;

    public static RouteGroupBuilder MapVideoEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var video = api.MapGroup("/video").RequireAuthorization();
        video.MapPost("/generate", GenerateAsync).RequireRateLimiting(RateLimits.GeneratePolicy);
        video.MapGet("/status/{taskId}", StatusAsync).RequireRateLimiting(RateLimits.ActionsPolicy);
        video.MapGet("/tasks", ListAsync).RequireRateLimiting(RateLimits.ActionsPolicy);
        video.MapPost("/cancel/{taskId}", CancelAsync).RequireRateLimiting(RateLimits.ActionsPolicy);
        video.MapPost("/retry/{taskId}", RetryAsync).RequireRateLimiting(RateLimits.ActionsPolicy);
        return api;
    }

    private static async Task<IResult> GenerateAsync(
        HttpContext http, TaskService tasks, ProviderCatalog providers, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var (idempotencyKey, keyError) = RequestHeaders.ReadIdempotencyKey(http.Request);
        var (userApiKey, apiKeyError) = RequestHeaders.ReadUserApiKey(http.Request);
        var (command, bodyError) = await GenerateRequestReader.ReadAsync(http.Request, options.Value.MaxBodyBytes).ConfigureAwait(false);
        if ((keyError ?? apiKeyError ?? bodyError) is { } error)
        {
            return error;
        }

        var (request, errors) = GenerateTaskValidator.Validate(command!, providers);
        if (request is null)
        {
            return ApiErrors.Validation(errors);
        }

        var (task, _) = await tasks.GenerateAsync(http.UserId(), request, idempotencyKey, userApiKey, cancellationToken).ConfigureAwait(false);
        return TaskResponses.Task(task);
    }

    private static async Task<IResult> StatusAsync(HttpContext http, string taskId, TaskService tasks, CancellationToken cancellationToken)
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

    private static async Task<IResult> CancelAsync(HttpContext http, string taskId, TaskService tasks, CancellationToken cancellationToken) =>
        ToResult(await tasks.CancelAsync(http.UserId(), taskId, cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> RetryAsync(HttpContext http, string taskId, TaskService tasks, CancellationToken cancellationToken)
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
