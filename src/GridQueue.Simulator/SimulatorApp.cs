using Microsoft.Extensions.Configuration.Memory;

namespace GridQueue.Simulator;

/// <summary>Builds the simulator's web application; shared by the program and <see cref="SimulatorHost"/>.</summary>
public static class SimulatorApp
{
    /// <summary>Where the program listens when no address is configured: loopback only, as it checks no real keys.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    /// <summary>The application the program runs, configured from <paramref name="args"/>, environment and settings files.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);

        // A line per request would drown the start line and slow benchmarks; any configured level still wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")],
        });
        if (!HasConfiguredAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return Build(builder, BindOptions(builder.Configuration), TimeProvider.System);
    }

    /// <summary>The <c>Simulator</c> section of <paramref name="configuration"/>, with defaults for what it leaves out.</summary>
    public static SimulatorOptions BindOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection(SimulatorOptions.SectionName);
        var options = section.Get<SimulatorOptions>() ?? new SimulatorOptions();

        // The binder appends configured list items to a list's default instead of replacing it, so configured
        // statuses are read on their own: "AcceptThenErrorStatuses:0=503" must mean [503], not [500, 502, 504, 503].
        var statuses = section.GetSection($"{nameof(SimulatorOptions.Faults)}:{nameof(SimulatorFaults.AcceptThenErrorStatuses)}");
        if (options.Faults is not null && statuses.Exists())
        {
            options.Faults = options.Faults with { AcceptThenErrorStatuses = statuses.Get<int[]>() ?? [] };
        }

        return options;
    }

    internal static WebApplication Build(WebApplicationBuilder builder, SimulatorOptions options, TimeProvider time)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid simulator options: " + string.Join(" ", problems), nameof(options));
        }

        var random = new SimulatorRandom(options.Seed);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(random);
        builder.Services.AddSingleton(new SimulatorState());
        builder.Services.AddSingleton(new ApiKeyCheck(options));

        // Created here rather than on first use, so "since start" for bursts and planned outages means since startup.
        builder.Services.AddSingleton(new FaultInjector(options.Faults, time, random));
        builder.Services.AddSingleton<CallbackSender>();

        var app = builder.Build();
        app.MapVideoEndpoints();
        app.MapAdminEndpoints();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GridQueue.Simulator");
            Log.Started(logger, string.Join(", ", app.Urls), options.ApiKey, options.Duration, options.FailureRate);
        });
        return app;
    }

    // Any of the host's own ways to name an address wins over the default.
    private static bool HasConfiguredAddress(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["urls"])
        || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
