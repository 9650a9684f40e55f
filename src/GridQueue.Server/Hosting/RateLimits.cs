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

    public static IServiceCollection AddGridQueueRateLimits(this IServiceCollection services, ApiOptions api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return services.AddRateLimiter(options =>
        {
            options.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                await ApiErrors.RateLimited(retryAfter).WriteAsync(context.HttpContext.Response).ConfigureAwait(false);
            };
            options.AddPolicy(GeneratePolicy, http => PerUser(http, api.GeneratePerMinute));
            options.AddPolicy(ActionsPolicy, http => PerUser(http, api.ActionsPerMinute));
        });
    }

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
