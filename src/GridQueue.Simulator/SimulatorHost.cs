using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace GridQueue.Simulator;

/// <summary>A simulator running inside the calling process, for tests that need a real HTTP upstream.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    /// <summary>Loopback with a port the system picks, so parallel tests never collide.</summary>
    public const string AnyFreePortUrl = "http://127.0.0.1:0";

    private readonly WebApplication app;
    private readonly FaultInjector faults;

    private SimulatorHost(WebApplication app, SimulatorOptions options, Uri baseAddress)
    {
        this.app = app;
        faults = app.Services.GetRequiredService<FaultInjector>();
        State = app.Services.GetRequiredService<SimulatorState>();
        Options = options;
        BaseAddress = baseAddress;
    }

    /// <summary>The address the simulator actually listens on, with a trailing slash, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public SimulatorOptions Options { get; }

    /// <summary>What has been submitted so far.</summary>
    public SimulatorState State { get; }

    /// <summary>The active faults; setting replaces all of them at once (invalid settings throw).</summary>
    public SimulatorFaults Faults
    {
        get => faults.Faults;
        set => faults.Faults = value;
    }

    /// <summary>Starts the simulator on <paramref name="url"/> with the system clock; returns once it listens.</summary>
    public static Task<SimulatorHost> StartAsync(SimulatorOptions options, string url = AnyFreePortUrl, CancellationToken cancellationToken = default) =>
        StartAsync(options, TimeProvider.System, url, cancellationToken);

    /// <summary>Starts the simulator on <paramref name="url"/> with the given clock; returns once it listens.</summary>
    public static async Task<SimulatorHost> StartAsync(
        SimulatorOptions options,
        TimeProvider timeProvider,
        string url = AnyFreePortUrl,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);

        // No args and a fixed address: the caller's options decide everything, not the test process's command line.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = SimulatorApp.Build(builder, options, timeProvider);
        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new SimulatorHost(app, options, new Uri(address.EndsWith('/') ? address : address + "/"));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes every <c>/v2</c> request answer 503 from now for <paramref name="duration"/>.</summary>
    public void StartOutage(TimeSpan duration) => faults.StartOutage(duration);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
