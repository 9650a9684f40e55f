using System.Globalization;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using GridQueue.Tasks.Jobs;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// Upstream faults from the T8Star-format simulator (20 % server errors, 429 bursts, a 30 s outage): every task still
/// ends, none is lost and none is submitted upstream twice. A task the upstream accepted ends as the simulator decided;
/// a submit answered with a 5xx (which a relay may send after making the video) is never sent again: that task fails
/// saying the outcome is unknown.
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

        var (succeeded, failed, unknown) = AssertEachEndedAsTheUpstreamDecided(simulator, created, final);
        Assert.Equal(taskCount - unknown, simulator.State.Submissions);
        Assert.True(succeeded > 0, "some tasks got through");
        Assert.Empty(server.ErrorLog.Errors);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{taskCount} tasks under 20 % server errors and 429 bursts: {succeeded} succeeded, {failed} failed as the simulator decided, " +
            $"{unknown} failed as outcome unknown after a 5xx on submit; simulator: {simulator.State.Submissions} submissions, none twice."));
    }

    [Fact]
    public async Task ThirtySecondOutage_RunningTasksSucceedAfterIt_SubmitsMeetingItFailAsUnknownAndAreNotResent()
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

        // ... and five whose submits meet it: a 503 from a relay may come after it made the video, so they fail at
        // once saying the outcome is unknown, and are never sent again.
        var outageEnds = DateTimeOffset.UtcNow + outage;
        simulator.StartOutage(outage);
        var during = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => client.GenerateAsync(TaskApi.Body($"outage {_runTag} during {i}"))));
        foreach (var task in during)
        {
            var failed = await client.WaitAsync(task.Id(), t => t.IsTerminal(), TimeSpan.FromSeconds(10));
            Assert.True(failed.Status() == "failed", failed.ToString());
            Assert.Contains(TaskMessages.OutcomeUnknown, failed.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        }

        // Halfway through the tasks accepted before are still running: the polls snooze.
        await Task.Delay(outage / 2);
        foreach (var task in before)
        {
            var now = await client.StatusAsync(task.Id());
            Assert.True(now.Status() == "running", $"halfway through the outage: {now}");
        }

        var created = before.Concat(during).ToList();
        var final = await WaitAllTerminalAsync(clients, created.Select(t => t.Id()), outage + TimeSpan.FromSeconds(30));
        var (succeeded, failedByUpstream, unknown) = AssertEachEndedAsTheUpstreamDecided(simulator, created, final);
        Assert.Equal(before.Length, succeeded);
        Assert.Equal(0, failedByUpstream);
        Assert.Equal(during.Length, unknown);
        Assert.Equal(before.Length, simulator.State.Submissions);

        // The tasks submitted before the outage were finished upstream long before it ended, but nobody could know.
        foreach (var task in before)
        {
            var completedAt = DateTimeOffset.Parse(final[task.Id()].GetProperty("completed_at").GetString()!, CultureInfo.InvariantCulture);
            Assert.True(completedAt >= outageEnds, $"completed at {completedAt:O}, before the outage ended at {outageEnds:O}");
        }

        Assert.Empty(server.ErrorLog.Errors);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{created.Count} tasks through a {outage.TotalSeconds:0} s outage: {succeeded} accepted before it succeeded after it, " +
            $"{unknown} submitted during it failed as outcome unknown; simulator: {simulator.State.Submissions} submissions, none twice."));
    }

    /// <summary>
    /// No task was submitted upstream twice. A task the upstream accepted ended as the simulator decided: succeeded
    /// with its video, or failed with the simulator's reason. A task whose submit was answered with a 5xx failed with
    /// the outcome-unknown message and was never sent again (these faults create nothing upstream).
    /// </summary>
    private static (int Succeeded, int Failed, int Unknown) AssertEachEndedAsTheUpstreamDecided(
        SimulatorHost simulator, IEnumerable<JsonElement> created, Dictionary<string, JsonElement> final)
    {
        var byPrompt = simulator.State.SubmissionsByPrompt();
        int succeeded = 0, failed = 0, unknown = 0;
        foreach (var id in created.Select(t => t.Id()))
        {
            var task = final[id];
            var prompt = task.GetProperty("prompt").GetString()!;
            var upstreamId = task.GetProperty("upstream_task_id").GetString();
            if (upstreamId is null)
            {
                Assert.True(byPrompt.GetValueOrDefault(prompt) == 0, $"submitted {byPrompt.GetValueOrDefault(prompt)} times upstream without an id: {task}");
                Assert.True(task.Status() == "failed", $"a submit answered 5xx: {task}");
                Assert.Contains(TaskMessages.OutcomeUnknown, task.GetProperty("error_message").GetString(), StringComparison.Ordinal);
                unknown++;
                continue;
            }

            Assert.True(byPrompt.GetValueOrDefault(prompt) == 1, $"submitted {byPrompt.GetValueOrDefault(prompt)} times upstream: {task}");
            SimulatedTask? upstream = null;
            Assert.True(simulator.State.TryGetTask(upstreamId, out upstream), $"no upstream task: {task}");
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

        return (succeeded, failed, unknown);
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

            // Submit retries (after a 429) back off from 0.5 s to at most 2 s.
            ["Tasks:SubmitMaxAttempts"] = "40",
            ["GridQueue:Engine:RetryBaseDelay"] = "00:00:00.500",
            ["GridQueue:Engine:RetryMaxDelay"] = "00:00:02",
        });
        _servers.Add(server);
        return server;
    }
}
