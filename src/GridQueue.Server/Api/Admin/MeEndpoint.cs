using System.Text.Json.Serialization;
using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Auth;

namespace GridQueue.Server.Api.Admin;

/// <summary>
/// GET /api/v1/me: who the token's user is and whether the admin routes are open to them, so a client can offer the
/// admin console without probing a route that would answer 403.
/// </summary>
public static class MeEndpoint
{
    public static RouteGroupBuilder MapMe(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/me", (HttpContext http, AdminRule admins) => AdminJson.Data(new MeSchema(http.UserId(), admins.IsAdmin(http.User))))
            .RequireAuthorization().WithName("GetMe").WithTags(EndpointTags.Server).WithSummary("The signed-in user and whether they are an admin")
            .ProducesData<MeSchema>()
            .ProducesUnauthorized()
            .ProducesInternal();
        return api;
    }
}

/// <summary>The body of GET /api/v1/me.</summary>
public sealed record MeSchema(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("admin"), System.ComponentModel.Description("True when the /api/v1/admin routes are open to this user.")] bool Admin);
