using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Auth;
using GridQueue.Tasks.Providers;

namespace GridQueue.Server.Api;

/// <summary>
/// GET /api/v1/info (no token needed): what a client needs before it signs in — the sign-in mode, the configured
/// providers and the default one. The dashboard uses it to offer the dev sign-in and to fill its Provider field.
/// It also names the server's version, so a client or an operator can tell which build answers.
/// </summary>
public static class ServerInfoEndpoint
{
    public static RouteGroupBuilder MapServerInfo(this RouteGroupBuilder api, AuthMode auth)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(auth);
        var mode = auth.IsDev ? "dev" : "jwt";
        api.MapGet("/info", (ProviderCatalog providers) => EnvelopeResult.Success(w =>
        {
            w.WriteStartObject();
            w.WriteString("version", Hosting.ServerVersion.Informational);
            w.WriteString("auth_mode", mode);
            w.WriteString("default_provider", providers.DefaultName);
            w.WriteStartArray("providers");
            foreach (var name in providers.Names)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        })).AllowAnonymous().RequireRateLimiting(Hosting.RateLimits.ActionsPolicy)
            .WithName("GetServerInfo").WithTags(EndpointTags.Server).WithSummary("The sign-in mode, the providers and the server's version (no token)")
            .ProducesData<ServerInfoSchema>()
            .ProducesRateLimited()
            .ProducesInternal();
        return api;
    }
}
