using Microsoft.Extensions.Configuration;
using Xunit;

namespace GridQueue.Simulator.Tests;

public sealed class SimulatorOptionsTests
{
    [Fact]
    public void BindOptions_FromEmptyConfiguration_UsesTheDefaults()
    {
        var options = SimulatorApp.BindOptions(new ConfigurationBuilder().Build());

        Assert.Equal("sim-key", options.ApiKey);
        Assert.Empty(options.ExtraApiKeys);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Duration);
        Assert.Equal(0, options.FailureRate);
        Assert.Null(options.Seed);
        Assert.Equal(SimulatorFaults.None, options.Faults);
        Assert.Equal(1, options.Faults.RateLimitRetryAfterSeconds);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void BindOptions_FromCommandLineSwitches_ReadsEverySetting()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(
        [
            "--Simulator:ApiKey=x",
            "--Simulator:ExtraApiKeys:0=u1",
            "--Simulator:ExtraApiKeys:1=u2",
            "--Simulator:Duration=00:00:02",
            "--Simulator:FailureRate=0.3",
            "--Simulator:Seed=7",
            "--Simulator:Faults:ServerErrorRate=0.1",
            "--Simulator:Faults:RateLimitBurstEvery=00:01:00",
            "--Simulator:Faults:RateLimitBurstLength=00:00:05",
            "--Simulator:Faults:RateLimitRetryAfterSeconds=4",
            "--Simulator:Faults:SlowRate=0.2",
            "--Simulator:Faults:SlowDelay=00:00:03",
            "--Simulator:Faults:OutageStart=00:02:00",
            "--Simulator:Faults:OutageDuration=00:00:30",
            "--Simulator:Faults:DropSubmitRate=0.05",
            "--Simulator:Faults:AcceptThenErrorRate=0.25",
            "--Simulator:Faults:AcceptThenErrorStatuses:0=503",
            "--Simulator:Faults:AcceptThenErrorStatuses:1=599",
            "--Simulator:Faults:SlowSubmitCreatesFirst=true",
            "--Simulator:Faults:RateLimitRetryAfterHttpDate=Fri, 31 Dec 9999 23:59:59 GMT",
        ]).Build();

        var options = SimulatorApp.BindOptions(configuration);

        Assert.Equal("x", options.ApiKey);
        Assert.Equal(["u1", "u2"], options.ExtraApiKeys);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Duration);
        Assert.Equal(0.3, options.FailureRate);
        Assert.Equal(7, options.Seed);
        Assert.Equal(
            new SimulatorFaults
            {
                ServerErrorRate = 0.1,
                RateLimitBurstEvery = TimeSpan.FromMinutes(1),
                RateLimitBurstLength = TimeSpan.FromSeconds(5),
                RateLimitRetryAfterSeconds = 4,
                SlowRate = 0.2,
                SlowDelay = TimeSpan.FromSeconds(3),
                OutageStart = TimeSpan.FromMinutes(2),
                OutageDuration = TimeSpan.FromSeconds(30),
                DropSubmitRate = 0.05,
                AcceptThenErrorRate = 0.25,
                SlowSubmitCreatesFirst = true,
                RateLimitRetryAfterHttpDate = "Fri, 31 Dec 9999 23:59:59 GMT",
                AcceptThenErrorStatuses = [503, 599],
            },
            options.Faults);

        // Replaces the default list rather than adding to it.
        Assert.Equal([503, 599], options.Faults.AcceptThenErrorStatuses);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void BindOptions_WithoutAcceptThenErrorStatuses_KeepsTheDefault()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(["--Simulator:Faults:AcceptThenErrorRate=1"]).Build();

        var options = SimulatorApp.BindOptions(configuration);

        Assert.Equal([500, 502, 504], options.Faults.AcceptThenErrorStatuses);
        Assert.Equal(1, options.Faults.AcceptThenErrorRate);
    }

    [Fact]
    public async Task StartAsync_WithAcceptThenErrorStatusOutOfRange_Throws()
    {
        var options = new SimulatorOptions { Faults = new SimulatorFaults { AcceptThenErrorRate = 1, AcceptThenErrorStatuses = [429] } };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SimulatorHost.StartAsync(options));

        Assert.Contains("AcceptThenErrorStatuses", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_WithInvalidOptions_Throws()
    {
        var options = new SimulatorOptions { FailureRate = 2, Duration = TimeSpan.Zero };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SimulatorHost.StartAsync(options));

        Assert.Contains("FailureRate", error.Message, StringComparison.Ordinal);
        Assert.Contains("Duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_SetToInvalidValuesOnTheHost_Throws()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());

        Assert.Throws<ArgumentException>(() => host.Faults = new SimulatorFaults { DropSubmitRate = -0.1 });
        Assert.Equal(SimulatorFaults.None, host.Faults);
    }

    [Fact]
    public async Task StartAsync_WithSameSeed_DecidesTheSameFates()
    {
        var fates = new List<bool[]>();
        for (var run = 0; run < 2; run++)
        {
            await using var simulator = await TestSimulator.StartAsync(new SimulatorOptions { Seed = 42, FailureRate = 0.5 });
            for (var i = 0; i < 20; i++)
            {
                await simulator.SubmitTaskAsync();
            }

            fates.Add([.. simulator.Host.State.Tasks().Select(task => task.WillFail)]);
        }

        Assert.Equal(fates[0], fates[1]);
        Assert.Contains(true, fates[0]);
        Assert.Contains(false, fates[0]);
    }

    [Fact]
    public async Task StartAsync_OnAnyFreePort_ReportsTheBoundAddress()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());

        Assert.Equal("127.0.0.1", host.BaseAddress.Host);
        Assert.NotEqual(0, host.BaseAddress.Port);
        Assert.EndsWith("/", host.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
    }
}
