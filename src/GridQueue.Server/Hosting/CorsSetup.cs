using GridQueue.Server.Api;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Lets browser apps on the origins in <c>Cors__AllowedOrigins</c> call the API with ASP.NET Core's CORS middleware.
/// Tokens travel in the Authorization header (or <c>?access_token=</c> for the event stream), never in cookies, so
/// credentials are not allowed. The middleware runs before authentication and rate limiting, which is why a preflight
/// is answered 204 and never 401 or 429, and it adds its headers as the response starts, so error envelopes carry them
/// too (a page can read why it was refused).
/// </summary>
public static class CorsSetup
{
    public const string PolicyName = "AllowedOrigins";

    /// <summary>How long a browser may reuse a preflight's answer.</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>Request headers a page may send: the bearer token, JSON bodies, the API's own headers, and resuming a stream.</summary>
    public static readonly string[] AllowedHeaders =
    [
        "Authorization", "Content-Type", RequestHeaders.IdempotencyKey, RequestHeaders.UserApiKey, RequestHeaders.UserGeminiKey, "Last-Event-ID",
    ];

    /// <summary>Response headers a page may read beyond the safelisted ones: a task's version and when to try again.</summary>
    public static readonly string[] ExposedHeaders = ["ETag", "Retry-After"];

    public static IServiceCollection AddGridQueueCors(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CorsOptions>().Bind(configuration.GetSection(CorsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CorsOptions>, Validator>();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<CorsOptions>>((cors, settings) =>
            cors.AddPolicy(PolicyName, policy => policy
                .WithOrigins([.. settings.Value.Parse().Origins])
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(AllowedHeaders)
                .WithExposedHeaders(ExposedHeaders)
                .SetPreflightMaxAge(PreflightMaxAge)));
        return services;
    }

    /// <summary>
    /// Adds the middleware only when origins are configured: without them the server answers exactly as it did
    /// before (no CORS headers, and OPTIONS is 405 like any other method a route does not take).
    /// </summary>
    public static WebApplication UseGridQueueCors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var configured = app.Configuration.GetSection(CorsOptions.SectionName)[nameof(CorsOptions.AllowedOrigins)];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            app.UseCors(PolicyName);
        }

        return app;
    }

    private sealed class Validator : IValidateOptions<CorsOptions>
    {
        public ValidateOptionsResult Validate(string? name, CorsOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var errors = options.Parse().Errors;
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
