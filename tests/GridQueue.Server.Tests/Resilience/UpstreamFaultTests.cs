using System.Globalization;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// Upstream faults from the T8Star-format simulator (20 % server errors, 429 bursts, a 30 s outage): every task still
/// ends correctly, as the simulator decided it should end, none is lost and none is submitted upstream twice.
/// </summary>
public sealed class UpstreamFaultTests(ITestOutputHelper output) : IAsyncLifetime
{

    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private readonly List<RunningServer> _servers = [];
    private readonly List<SimulatorHost> _simulators = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        foreach (var simulator in _simulators)
        {
            await simulator.DisposeAsync();
        }
    }

    [Fact]
    public async Task ServerErrorsAndRateLimitBursts_EveryTaskEndsAsTheUpstreamDecided()
    {
        const int taskCount = 20;
        var simulator = await StartSimulatorAsync(new SimulatorOptions
        {
            Duration = TimeSpan.FromSeconds(3),
            FailureRate = 0.25,
            Seed = 4242,
            Faults = new SimulatorFaults
            {
                ServerErrorRate = 0.2,
                RateLimitBurstEvery = TimeSpan.FromSeconds(3),
                RateLimitBurstLength = TimeSpan.FromSeconds(1),
                RateLimitRetryAfterSeconds = 1,
            },
        });
        var server = await StartServerAsync(simulator);
        using var alice = await server.CreateClientAsync("faults-alice");
        using var bob = await server.CreateClientAsync("faults-bob");
        var clients = new[] { alice, bob };

        var prompts = Enumerable.Range(0, taskCount).Select(i => $"faults {_runTag} task {i:D2}").ToList();
        var created = await Task.WhenAll(prompts.Select((p, i) => clients[i % 2].GenerateAsync(TaskApi.Body(p))));
        var final = await WaitAllTerminalAsync(clients, created.Select(t => t.Id()), TimeSpan.FromSeconds(60));

        var (succeeded, failed) = AssertEachEndedAsTheUpstreamDecided(simulator, created, final);
        Assert.Equal(taskCount, simulator.State.Submissions);
        Assert.Empty(server.ErrorLog.Errors);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{taskCount} tasks under 20 % server errors and 429 bursts: {succeeded} succeeded, {failed} failed as the simulator decided; " +
            $"simulator: {simulator.State.Submissions} submissions, none twice."));
    }

    [Fact]
    public async Task ThirtySecondOutage_TasksRunningAndTasksNotYetSubmitted_AllSucceedAfterIt()
    {
        var outage = TimeSpan.FromSeconds(30);
        var simulator = await StartSimulatorAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(2), Seed = 77 });
        var server = await StartServerAsync(simulator);
        using var client = await server.CreateClientAsync("outage-alice");
        var clients = new[] { client };

        // Five tasks accepted upstream before the outage (they are polled through it) ...
        var before = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => client.GenerateAsync(TaskApi.Body($"outage {_runTag} before {i}"))));
        foreach (var task in before)
        {
            await client.WaitAsync(task.Id(), t => t.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String);
        }

        // ... and five whose submits meet it.
        var outageEnds = DateTimeOffset.UtcNow + outage;
        simulator.StartOutage(outage);
        var during = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => client.GenerateAsync(TaskApi.Body($"outage {_runTag} during {i}"))));
        var created = before.Concat(during).ToList();

        // Halfway through nothing has ended: the submits are retried with back-off, the polls snooze.
        await Task.Delay(outage / 2);
        foreach (var task in created)
        {
            var now = await client.StatusAsync(task.Id());
            Assert.True(now.Status() == "running", $"halfway through the outage: {now}");
        }

        Assert.Equal(5, simulator.State.Submissions);
        var final = await WaitAllTerminalAsync(clients, created.Select(t => t.Id()), outage + TimeSpan.FromSeconds(30));

        var (succeeded, failed) = AssertEachEndedAsTheUpstreamDecided(simulator, created, final);
        Assert.Equal(created.Count, succeeded);
        Assert.Equal(0, failed);
        Assert.Equal(created.Count, simulator.State.Submissions);
        foreach (var task in during)
        {
            var upstream = simulator.State.Tasks().Single(s => s.Id == final[task.Id()].GetProperty("upstream_task_id").GetString());
            Assert.True(upstream.SubmittedAt >= outageEnds, $"submitted upstream at {upstream.SubmittedAt:O}, before the outage ended at {outageEnds:O}");
        }

        // The tasks submitted before the outage were finished upstream long before it ended, but nobody could know.
        foreach (var task in created)
        {
            var completedAt = DateTimeOffset.Parse(final[task.Id()].GetProperty("completed_at").GetString()!, CultureInfo.InvariantCulture);
            Assert.True(completedAt >= outageEnds, $"completed at {completedAt:O}, before the outage ended at {outageEnds:O}");
        }

        Assert.Empty(server.ErrorLog.Errors);
        var lastEnd = final.Values.Max(t => DateTimeOffset.Parse(t.GetProperty("completed_at").GetString()!, CultureInfo.InvariantCulture));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{created.Count} tasks through a {outage.TotalSeconds:0} s outage: {succeeded} succeeded, the last {(lastEnd - outageEnds).TotalSeconds:0.0} s " +
            $"after it ended; simulator: {simulator.State.Submissions} submissions, none twice."));
    }

    /// <summary>
    /// Each task was submitted upstream exactly once and ended as the simulator decided: succeeded with its video, or
    /// failed with the simulator's reason.
    /// </summary>
    private static (int Succeeded, int Failed) AssertEachEndedAsTheUpstreamDecided(
        SimulatorHost simulator, IEnumerable<JsonElement> created, Dictionary<string, JsonElement> final)
    {
        var byPrompt = simulator.State.SubmissionsByPrompt();
        int succeeded = 0, failed = 0;
        foreach (var id in created.Select(t => t.Id()))
        {
            var task = final[id];
            var prompt = task.GetProperty("prompt").GetString()!;
            Assert.True(byPrompt.GetValueOrDefault(prompt) == 1, $"submitted {byPrompt.GetValueOrDefault(prompt)} times upstream: {task}");
            var upstreamId = task.GetProperty("upstream_task_id").GetString();
            SimulatedTask? upstream = null;
            Assert.True(upstreamId is not null && simulator.State.TryGetTask(upstreamId, out upstream), $"no upstream task: {task}");
            Assert.Equal(prompt, upstream.Prompt);
            if (upstream.WillFail)
            {
                Assert.True(task.Status() == "failed", $"the simulator failed it: {task}");
                Assert.Equal(SimulatedTask.FailureReason, task.GetProperty("error_message").GetString());
                Assert.Equal(JsonValueKind.Null, task.GetProperty("video_url").ValueKind);
                failed++;
            }
            else
            {
                Assert.True(task.Status() == "succeeded", $"the simulator finished it: {task}");
                Assert.EndsWith($"/videos/{upstreamId}.mp4", task.GetProperty("video_url").GetString(), StringComparison.Ordinal);
                Assert.Equal(100, task.GetProperty("progress").GetInt32());
                succeeded++;
            }
        }

        return (succeeded, failed);
    }

    private static async Task<Dictionary<string, JsonElement>> WaitAllTerminalAsync(
        IReadOnlyList<HttpClient> clients, IEnumerable<string> ids, TimeSpan timeout)
    {
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var all = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var client in clients)
            {
                var (status, envelope) = await client.GetEnvelopeAsync("api/v1/video/tasks?limit=100");
                Assert.True(status == System.Net.HttpStatusCode.OK, $"list answered {(int)status}: {envelope}");
                foreach (var task in envelope.GetProperty("data").GetProperty("items").EnumerateArray().Where(t => wanted.Contains(t.Id())))
                {
                    all[task.Id()] = task;
                }
            }

            if (all.Count == wanted.Count && all.Values.All(t => t.IsTerminal()))
            {
                return all;
            }

            if (DateTime.UtcNow > deadline)
            {
                var open = all.Values.Where(t => !t.IsTerminal()).Select(t => t.ToString());
                Assert.Fail($"{wanted.Count - all.Values.Count(t => t.IsTerminal())} tasks did not end within {timeout.TotalSeconds:0} s: {string.Join(Environment.NewLine, open)}");
            }

            await Task.Delay(100);
        }
    }

    private async Task<SimulatorHost> StartSimulatorAsync(SimulatorOptions options)
    {
        var simulator = await SimulatorHost.StartAsync(options);
        _simulators.Add(simulator);
        return simulator;
    }

    private async Task<RunningServer> StartServerAsync(SimulatorHost simulator)
    {
        var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Default"] = "t8star",
            ["Providers:T8Star:BaseUrl"] = simulator.BaseAddress.ToString(),
            ["Providers:T8Star:ApiKey"] = SimulatorOptions.DefaultApiKey,
            ["Tasks:MaxRunningPerUser"] = "0",
            ["Tasks:PollInterval"] = "00:00:00.250",

            // Submit retries back off from 0.5 s to at most 2 s; 40 attempts outlast a 30 s outage comfortably.
            ["Tasks:SubmitMaxAttempts"] = "40",
            ["GridQueue:Engine:RetryBaseDelay"] = "00:00:00.500",
            ["GridQueue:Engine:RetryMaxDelay"] = "00:00:02",
        });
        _servers.Add(server);
        return server;
    }
}
