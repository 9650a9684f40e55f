using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Telemetry;

namespace GridQueue.Tasks.Providers.T8Star;

/// <summary>Registers the T8Star provider in a host.</summary>
public static class T8StarServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="T8StarOptions"/> (validated at start; binding configuration is the host's job), the named
    /// HttpClient <see cref="T8StarProvider.HttpClientName"/> with its resilience pipeline, and
    /// <see cref="T8StarProvider"/> as itself and as an <see cref="IVideoProvider"/>. Calling it twice adds the
    /// provider once (both calls' <paramref name="configure"/> run).
    /// </summary>
    public static IServiceCollection AddT8StarProvider(this IServiceCollection services, Action<T8StarOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<T8StarOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(T8StarProvider)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);

        // HttpClient's default logging already hides every header value, the Authorization header included.
        services.AddHttpClient(T8StarProvider.HttpClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var settings = sp.GetRequiredService<IOptionsMonitor<T8StarOptions>>().CurrentValue;
                client.Timeout = T8StarResilience.ClientTimeout(settings);
                client.MaxResponseContentBufferSize = MaxResponseBytes;
            })
            .AddResilienceHandler(T8StarResilience.PipelineName, static (pipeline, context) =>
            {
                context.EnableReloads<T8StarOptions>();
                var settings = context.GetOptions<T8StarOptions>();
                var services = context.ServiceProvider;
                T8StarResilience.Configure(
                    pipeline,
                    settings,
                    services.GetRequiredService<TimeProvider>(),
                    services.GetRequiredService<ILoggerFactory>().CreateLogger<T8StarProvider>());
            });

        // Polly reports every failed attempt of a call at Error level. An upstream answering 503 is routine here
        // (the task layer snoozes or retries it, and T8StarLog warns once per retry), so those reports go to Debug.
        services.Configure<TelemetryOptions>(telemetry => telemetry.SeverityProvider = static args =>
            args.Event.EventName == "ExecutionAttempt" ? ResilienceEventSeverity.Debug : args.Event.Severity);

        services.AddSingleton<T8StarProvider>();
        services.AddSingleton<IVideoProvider>(sp => sp.GetRequiredService<T8StarProvider>());
        return services;
    }

    /// <summary>Status and submit answers are small; a bigger body is not one of them.</summary>
    private const int MaxResponseBytes = 4 * 1024 * 1024;
}
