using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Behind a reverse proxy: ASP.NET Core's forwarded headers middleware, believing X-Forwarded-For and X-Forwarded-Proto
/// only when the connection comes from an address in <c>ForwardedHeaders__KnownProxies</c> or
/// <c>ForwardedHeaders__KnownNetworks</c>. The client address it sets is what unauthenticated requests are rate limited
/// by; the scheme makes <c>Request.IsHttps</c> true behind a proxy that ends TLS. The server
/// builds no absolute URLs, so the forwarded host is not taken.
/// </summary>
public static class ProxySetup
{
    public static IServiceCollection AddGridQueueProxies(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>>(new Validator(configuration));
        return services;
    }

    /// <summary>
    /// Adds the middleware, first in the pipeline so everything after it sees the client, only when proxies are
    /// configured: without them a header any client can write changes nothing.
    /// </summary>
    public static WebApplication UseGridQueueProxies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value;
        if (!settings.IsConfigured)
        {
            return app;
        }

        var (proxies, networks, _) = settings.Parse();
        // A fresh options object, not IOptions<ForwardedHeadersOptions>: the framework's defaults there trust the
        // loopback addresses, and its own switch would clear the lists.
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // No fixed count: walk back through X-Forwarded-For while each hop came from a listed proxy (a load
            // balancer in front of nginx, both listed), and stop at the first address that is not one.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(proxy);
        }

        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(network);
        }

        app.UseForwardedHeaders(options);
        return app;
    }

    private sealed class Validator(IConfiguration configuration) : IValidateOptions<ProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var errors = new List<string>(options.Parse().Errors);
            if (string.Equals(configuration[ProxyOptions.FrameworkSwitch], "true", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(
                    $"ASPNETCORE_FORWARDEDHEADERS_ENABLED=true would believe X-Forwarded-For from any address, so any client could "
                    + $"pick the address it is rate limited by; remove it and list the proxies in {ProxyOptions.ProxiesSetting} "
                    + $"(or {ProxyOptions.NetworksSetting}).");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
