using System.Threading.RateLimiting;
using GridQueue.Server.Api;
using GridQueue.Server.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Per-user request limits with ASP.NET Core's rate limiter (a fixed one-minute window per user, by token subject,
/// or by address for unauthenticated calls). Rejections get 429 RATE_LIMITED with Retry-After.
/// </summary>
public static class RateLimits
{
    public const string GeneratePolicy = "generate";
    public const string ActionsPolicy = "actions";
    public const string CallbacksPolicy = "callbacks";

    /// <param name="callbacks">The upstream callback route's limits: here the one for all callbacks together.</param>
    public static IServiceCollection AddGridQueueRateLimits(this IServiceCollection services, ApiOptions api, CallbackLimitOptions? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        var callbacksPerSecond = (callbacks ?? new CallbackLimitOptions()).PerSecond;
        return services.AddRateLimiter(options =>
        {
            options.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                await ApiErrors.RateLimited(retryAfter).WriteAsync(context.HttpContext.Response).ConfigureAwait(false);
            };
            options.AddPolicy(GeneratePolicy, http => PerUser(http, api.GeneratePerMinute));
            options.AddPolicy(ActionsPolicy, http => PerUser(http, api.ActionsPerMinute));
            options.AddPolicy(CallbacksPolicy, _ => AllCallbacks(callbacksPerSecond));
        });
    }

    // One partition for every caller: upstreams call from addresses of their own choosing, so a per-address limit
    // would neither hold back a flood from many addresses nor be fair to one relay sending everyone's callbacks.
    private static RateLimitPartition<string> AllCallbacks(int perSecond) =>
        perSecond <= 0
            ? RateLimitPartition.GetNoLimiter("callbacks")
            : RateLimitPartition.GetFixedWindowLimiter("callbacks", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perSecond,
                Window = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            });

    private static RateLimitPartition<string> PerUser(HttpContext http, int perMinute)
    {
        var key = http.User.FindFirst(AuthSetup.UserIdClaim)?.Value is { } user ? "u:" + user : "a:" + http.Connection.RemoteIpAddress;
        return perMinute <= 0
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
    }
}
