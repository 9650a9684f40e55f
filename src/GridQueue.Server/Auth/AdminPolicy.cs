using System.Security.Claims;
using GridQueue.Server.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace GridQueue.Server.Auth;

/// <summary>
/// The "admin" authorization policy every /api/v1/admin route requires, and the answer to a signed-in user without
/// it: 403 FORBIDDEN in the contract's envelope (a missing or bad token still gets 401 from the bearer handler).
/// </summary>
public static class AdminPolicy
{
    public const string Name = "admin";

    public static IServiceCollection AddGridQueueAdminPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AdminOptions.SectionName).Get<AdminOptions>() ?? new AdminOptions();
        var admins = new AdminRule(options);
        services.AddSingleton(admins);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, EnvelopeAuthorizationResultHandler>();
        services.AddAuthorizationBuilder().AddPolicy(Name, policy => policy.RequireAuthenticatedUser().RequireAssertion(c => admins.IsAdmin(c.User)));
        return services;
    }
}

/// <summary>Decides whether a signed-in user is an admin, from <see cref="AdminOptions"/>.</summary>
public sealed class AdminRule(AdminOptions options)
{
    private readonly IReadOnlySet<string> _userIds = options.UserIdSet();

    public AdminOptions Options => options;

    public bool IsAdmin(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.FindFirst(AuthSetup.UserIdClaim)?.Value is { } sub && _userIds.Contains(sub))
        {
            return true;
        }

        return !string.IsNullOrEmpty(options.ClaimType)
            && user.FindAll(options.ClaimType).Any(c => string.Equals(c.Value, options.ClaimValue, StringComparison.Ordinal));
    }
}

/// <summary>Writes a refused authorization (403) in the contract's envelope; everything else as the default handler does.</summary>
internal sealed class EnvelopeAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(authorizeResult);
        ArgumentNullException.ThrowIfNull(context);
        return authorizeResult.Forbidden
            ? ApiErrors.Forbidden("This route is for admins; your token does not carry the admin role.").WriteAsync(context.Response)
            : _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
