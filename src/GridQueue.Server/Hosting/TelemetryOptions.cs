namespace GridQueue.Server.Hosting;

/// <summary>
/// Where the server's metrics and traces go (configuration section "Telemetry"). With nothing set, nothing is
/// exported and no OpenTelemetry pipeline runs: the instruments then cost a flag check each.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The standard OpenTelemetry variable; setting it alone turns the OTLP export on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard variable naming the OTLP protocol ("grpc" or "http/protobuf").</summary>
    public const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The path of the Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// An OTLP collector's base address (e.g. http://127.0.0.1:4317 for gRPC, :4318 for http/protobuf, where
    /// /v1/metrics and /v1/traces are added). Wins over OTEL_EXPORTER_OTLP_ENDPOINT.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Serves the Prometheus text format at <see cref="MetricsPath"/>.</summary>
    public bool Prometheus { get; set; }

    /// <summary>The OTLP endpoint from either setting, or null when no OTLP export is configured.</summary>
    public Uri? EffectiveOtlpEndpoint(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (OtlpEndpoint is not null)
        {
            return Checked(OtlpEndpoint, $"{SectionName}__{nameof(OtlpEndpoint)}");
        }

        return configuration[OtlpEndpointVariable] is { Length: > 0 } text
            ? Checked(Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : new Uri(text, UriKind.Relative), OtlpEndpointVariable)
            : null;
    }

    /// <summary>Read from configuration; an unusable endpoint stops start-up with a message naming the setting.</summary>
    public static TelemetryOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        _ = options.EffectiveOtlpEndpoint(configuration);
        return options;
    }

    private static Uri Checked(Uri endpoint, string setting) =>
        endpoint is { IsAbsoluteUri: true, Scheme: "http" or "https" }
            ? endpoint
            : throw new InvalidOperationException(
                $"{setting} is '{endpoint}'; it must be an absolute http or https address of an OTLP collector, e.g. http://127.0.0.1:4317.");
}
