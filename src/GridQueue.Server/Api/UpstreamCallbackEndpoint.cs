using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Hosting;
using GridQueue.Tasks.Callbacks;

namespace GridQueue.Server.Api;

/// <summary>
/// <c>GET|POST|PUT /api/v1/callbacks/{provider}/{task_id}/{token}</c>: the URL an upstream calls when a task ends
/// (t8star's notify_hook). The token is the only credential. The body is never read: a valid call makes the task's
/// pending poll due now and nothing else, so the poll, not the callback, says how the task ended.
/// </summary>
public static class UpstreamCallbackEndpoint
{
    /// <summary>The route template; spans record it in place of the path, which holds the token.</summary>
    public const string Route = "/callbacks/{provider}/{task_id}/{token}";

    public static RouteGroupBuilder MapUpstreamCallbacks(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapMethods(Route, [HttpMethods.Get, HttpMethods.Post, HttpMethods.Put], WakeAsync)
            .AllowAnonymous().RequireRateLimiting(RateLimits.CallbacksPolicy)
            .WithName("UpstreamCallback").WithTags(EndpointTags.Server).WithSummary("Upstream callback: poll this task now (called by upstreams, not clients)")
            .WithDescription(
                "Sent to the upstream as the task's notify_hook when Server__PublicUrl is set. No Authorization header: the token in the path "
                + "is the credential. The body is ignored; a valid call makes the task's waiting poll due now and changes nothing else.")
            .ProducesData<CallbackAnswerSchema>()
            .ProducesErrors(StatusCodes.Status404NotFound, "Unknown, forged or stale token: the task ended, was retried or waits on no poll. Nothing changed.", ErrorCodes.NotFound)
            .ProducesRateLimited("Over Callbacks__PerSecond for all callbacks, or Callbacks__PerTaskPerMinute for this task. Nothing changed.")
            .ProducesPayloadTooLarge()
            .ProducesUnavailable()
            .ProducesInternal();
        return api;
    }

    // The contract's envelope with nothing in it: the upstream learns only that the call was taken.
    private static readonly EnvelopeResult Accepted = EnvelopeResult.Success(static writer =>
    {
        writer.WriteStartObject();
        writer.WriteEndObject();
    });

    private static async Task<IResult> WakeAsync(
        string provider,
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "task_id")] string taskId,
        string token,
        UpstreamCallbacks callbacks,
        CallbackTaskLimiter limiter,
        CancellationToken cancellationToken)
    {
        // The token is checked before the per-task limit, so calls that name a task without its token cannot use
        // up the task's allowance; the global limit (the route's policy) has already bounded how many get this far.
        if (callbacks.Verify(provider, taskId, token) is not { } attempt)
        {
            return ApiErrors.NotFound();
        }

        if (limiter.Refuse(taskId) is { } retryAfter)
        {
            return ApiErrors.RateLimited(retryAfter);
        }

        return await callbacks.WakeAsync(provider, taskId, attempt, cancellationToken).ConfigureAwait(false) == CallbackOutcome.Woken
            ? Accepted
            : ApiErrors.NotFound();
    }
}

/// <summary>The data of a taken callback: an empty object.</summary>
public sealed class CallbackAnswerSchema;
