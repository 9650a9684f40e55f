using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Serves the web dashboard: the plain HTML, CSS and JavaScript modules in wwwroot, at <c>/</c>. The files are
/// copied beside the program at build time, so the dashboard works from <c>dotnet run</c>, a published folder and
/// the tests alike, with no front-end build step.
/// </summary>
public static class DashboardSetup
{
    // Scripts and styles only from this server (no inline code); videos and images may come from any https host
    // (providers return their own URLs); connections (fetch and EventSource) only to this server.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; media-src 'self' https: http:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public static WebApplication UseDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // Revalidate every time (the ETag makes that cheap), so a new version is seen at the next load.
                headers[HeaderNames.CacheControl] = "no-cache";
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            },
        });
        return app;
    }
}
