using GridQueue.Engine.Engine;
using GridQueue.Server.Telemetry;
using GridQueue.Tasks.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GridQueue.Server.Hosting;

/// <summary>
/// OpenTelemetry for the server: the meters of the engine, the tasks layer and the server with ASP.NET Core's and
/// HttpClient's, and the spans of the job handlers with those of requests and upstream calls. Exported over OTLP
/// when an endpoint is configured (Telemetry__OtlpEndpoint or OTEL_EXPORTER_OTLP_ENDPOINT) and served to Prometheus
/// at /metrics when Telemetry__Prometheus is true. With neither, no OpenTelemetry pipeline is built at all.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The service name in exported resources (OTEL_SERVICE_NAME overrides it).</summary>
    public const string ServiceName = "gridqueue";

    public static IServiceCollection AddGridQueueTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = TelemetryOptions.Read(configuration);
        services.AddSingleton(options);
        services.AddSingleton<StoreGauges>();
        services.AddSingleton<ServerMetrics>();
        var otlp = options.EffectiveOtlpEndpoint(configuration);
        if (otlp is null && !options.Prometheus)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? ServiceName, serviceVersion: ServerVersion.Informational))
            .WithMetrics(metrics =>
            {
                metrics.AddGridQueueInstrumentation();
                if (options.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => UseEndpoint(o, options, configuration, "v1/metrics"));
                }
            });

        // Traces have nowhere to go without a collector: no spans are recorded then.
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddGridQueueInstrumentation()
                .AddOtlpExporter(o => UseEndpoint(o, options, configuration, "v1/traces")));
        }

        return services;
    }

    /// <summary>
    /// Serves /metrics when Telemetry__Prometheus is true (before authentication: see README, "Telemetry"), and makes
    /// the server's gauges exist from the start.
    /// </summary>
    public static WebApplication UseGridQueueTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<ServerMetrics>();
        if (app.Services.GetRequiredService<TelemetryOptions>().Prometheus)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(TelemetryOptions.MetricsPath);
        }

        return app;
    }

    /// <summary>The meters the server exports: GridQueue's three, ASP.NET Core's and HttpClient's.</summary>
    public static MeterProviderBuilder AddGridQueueInstrumentation(this MeterProviderBuilder metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics
            .AddMeter(JobEngine.MeterName, TaskMetrics.MeterName, ServerMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation();
    }

    /// <summary>
    /// The spans the server exports: the job handlers', requests' (not scrapes and health probes) and upstream
    /// calls' (children of the handler span that made them).
    /// </summary>
    public static TracerProviderBuilder AddGridQueueInstrumentation(this TracerProviderBuilder tracing)
    {
        ArgumentNullException.ThrowIfNull(tracing);
        return tracing
            .AddSource(TaskTracing.SourceName)
            .AddAspNetCoreInstrumentation(o =>
            {
                o.Filter = http =>
                    !http.Request.Path.StartsWithSegments(TelemetryOptions.MetricsPath)
                    && !http.Request.Path.StartsWithSegments("/healthz")
                    && !http.Request.Path.StartsWithSegments("/readyz");

                // A callback's path holds its token, which must not reach a trace store.
                o.EnrichWithHttpRequest = (activity, request) =>
                {
                    if (CallbackSetup.IsCallbackPath(request.Path))
                    {
                        activity.SetTag("url.path", CallbackSetup.RedactedPath);
                    }
                };
            })
            .AddHttpClientInstrumentation();
    }

    /// <summary>
    /// Telemetry__OtlpEndpoint, when set, is a base address: http/protobuf needs the signal's path added (the
    /// exporter does that itself only for the standard variable, which it reads when this setting is absent).
    /// </summary>
    private static void UseEndpoint(OtlpExporterOptions exporter, TelemetryOptions options, IConfiguration configuration, string signalPath)
    {
        if (options.OtlpEndpoint is not { } endpoint)
        {
            return;
        }

        if (configuration[TelemetryOptions.OtlpProtocolVariable] is "http/protobuf")
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(new Uri(endpoint.ToString().TrimEnd('/') + "/"), signalPath);
        }
        else
        {
            exporter.Endpoint = endpoint;
        }
    }
}
