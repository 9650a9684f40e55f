using System.Globalization;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using GridQueue.Tasks.Jobs;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// Every task ends, whatever happens to its jobs: the server runs as a child process against the T8Star-format
/// simulator and is killed or reconfigured under its tasks; after a restart each task reaches a terminal status
/// with a message naming the reason, and a stopped server's submits are not turned into unknown outcomes.
/// </summary>
public sealed class EveryTaskEndsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ServerProcessGroup _servers = new("gq-ends-test-");
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() =>
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(2), Seed = 9 });

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task KilledDuringSubmitsOnTheLastAttempt_StuckTasksFailAndNoLongerBlockTheUsersNextTask()
    {
        // Every submit is slow, so five are on their way upstream (the user's limit) and the sixth waits in line.
        _simulator.Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromMinutes(1) };
        var environment = Environment(new()
        {
            ["Tasks__SubmitMaxAttempts"] = "1",
            ["Tasks__MaxRunningPerUser"] = "5",
            ["Providers__T8Star__AttemptTimeout"] = "00:02:00",
        });
        var first = await StartServerAsync(environment, "first");
        using var client = await first.CreateClientAsync("stuck-alice");
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await client.GenerateAsync(TaskApi.Body($"stuck {_runTag} {i}"))).Id());
        }

        foreach (var id in ids.Take(5))
        {
            await client.WaitForStatusAsync(id, "running");
        }

        await Task.Delay(500); // the five submits are out
        Assert.Equal("queued", (await client.StatusAsync(ids[5])).Status());
        first.KillHard();

        // The upstream is well again; the five jobs die with their leases on their only attempt.
        _simulator.Faults = SimulatorFaults.None;
        var restarted = await StartServerAsync(environment, "restart");
        using var again = await restarted.CreateClientAsync("stuck-alice");
        var ended = new List<JsonElement>();
        foreach (var id in ids.Take(5))
        {
            ended.Add(await again.WaitAsync(id, t => t.IsTerminal(), Deadline + SweepInterval + TimeSpan.FromSeconds(15)));
        }

        foreach (var task in ended)
        {
            Assert.True(task.Status() == "failed", $"{task}{System.Environment.NewLine}{restarted.Tail()}");
            var message = task.GetProperty("error_message").GetString()!;
            Assert.Contains("given up", message, StringComparison.Ordinal);
            Assert.Contains(TaskMessages.OutcomeUnknown, message, StringComparison.Ordinal);
            var started = DateTimeOffset.Parse(task.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture);
            var completed = DateTimeOffset.Parse(task.GetProperty("completed_at").GetString()!, CultureInfo.InvariantCulture);
            Assert.True(completed - started <= Deadline + SweepInterval + TimeSpan.FromSeconds(5), $"ended {completed - started} after it was made: {task}");
        }

        // The sixth is not held back by the five: it runs and succeeds, submitted once.
        var sixth = await again.WaitAsync(ids[5], t => t.IsTerminal(), TimeSpan.FromSeconds(30));
        Assert.True(sixth.Status() == "succeeded", sixth.ToString());
        Assert.Equal(1, _simulator.State.SubmissionsByPrompt().GetValueOrDefault($"stuck {_runTag} 5"));
        output.WriteLine($"five stuck submits failed after the restart: {ended[0].GetProperty("error_message").GetString()}");
    }

    [Fact]
    public async Task ProviderRemovedFromConfiguration_ItsRunningTaskFailsNamingIt()
    {
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromMinutes(10) });
        try
        {
            var environment = Environment(new(), simulator);
            var first = await StartServerAsync(environment, "first");
            using var client = await first.CreateClientAsync("gone-alice");
            var id = (await client.GenerateAsync(TaskApi.Body($"gone {_runTag}"))).Id();
            await client.WaitAsync(id, t => t.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String);
            await first.StopGracefullyAsync(TimeSpan.FromSeconds(30));

            // The operator removes the provider's settings and restarts.
            environment.Remove("Providers__T8Star__BaseUrl");
            environment.Remove("Providers__T8Star__ApiKey");
            environment["Providers__Default"] = "simulator";
            var restarted = await StartServerAsync(environment, "restart");
            using var again = await restarted.CreateClientAsync("gone-alice");
            var failed = await again.WaitAsync(id, t => t.IsTerminal(), TimeSpan.FromSeconds(20));
            Assert.True(failed.Status() == "failed", failed.ToString());
            Assert.Contains("Provider 't8star' is no longer configured", failed.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await simulator.DisposeAsync();
        }
    }

    [Fact]
    public async Task SigtermDuringATwentySecondSubmit_TheSubmitFinishesAndTheTaskSucceedsAfterRestart()
    {
        _simulator.Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromSeconds(20) };
        var environment = Environment(new());
        environment.Remove("GridQueue__Engine__ShutdownGracePeriod"); // the server's own default, as deployed
        var first = await StartServerAsync(environment, "first");
        using var client = await first.CreateClientAsync("term-alice");
        var prompt = $"sigterm {_runTag}";
        var id = (await client.GenerateAsync(TaskApi.Body(prompt))).Id();
        await client.WaitForStatusAsync(id, "running");
        await Task.Delay(2000); // the submit is on its way

        var stopping = DateTime.UtcNow;
        await first.StopGracefullyAsync(TimeSpan.FromSeconds(60));
        var stopTook = DateTime.UtcNow - stopping;
        Assert.True(stopTook >= TimeSpan.FromSeconds(10), $"the stop waited only {stopTook} for the submit:{System.Environment.NewLine}{first.Tail()}");

        _simulator.Faults = SimulatorFaults.None;
        var restarted = await StartServerAsync(environment, "restart");
        using var again = await restarted.CreateClientAsync("term-alice");
        var done = await again.WaitAsync(id, t => t.IsTerminal(), TimeSpan.FromSeconds(30));
        Assert.True(done.Status() == "succeeded", $"{done}{System.Environment.NewLine}{first.Tail()}");
        Assert.Equal(1, _simulator.State.SubmissionsByPrompt().GetValueOrDefault(prompt));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SIGTERM with a submit in flight: the stop took {stopTook.TotalSeconds:0.0} s; the task then succeeded, submitted once."));
    }

    private Dictionary<string, string> Environment(Dictionary<string, string> overrides, SimulatorHost? simulator = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Storage__ConnectionString"] = $"Data Source={Path.Combine(_servers.Folder, "gq.db")}",
            ["Auth__Mode"] = "dev",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Providers__Default"] = "t8star",
            ["Providers__T8Star__BaseUrl"] = (simulator ?? _simulator).BaseAddress.ToString(),
            ["Providers__T8Star__ApiKey"] = SimulatorOptions.DefaultApiKey,
            ["Tasks__PollInterval"] = "00:00:00.250",
            ["Tasks__Deadline"] = "00:01:00",
            ["Tasks__SweepInterval"] = "00:00:01",
            ["GridQueue__Engine__LeaseDuration"] = "00:00:03",
            ["GridQueue__Engine__RescueInterval"] = "00:00:01",
            ["GridQueue__Engine__PollInterval"] = "00:00:00.200",
            ["GridQueue__Engine__ShutdownGracePeriod"] = "00:00:01",
            ["Api__GeneratePerMinute"] = "0",
            ["Api__ActionsPerMinute"] = "0",
        };
        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        return environment;
    }

    private Task<ServerProcess> StartServerAsync(Dictionary<string, string> environment, string name) =>
        _servers.StartAsync(environment, name);
}
