using System.Globalization;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using GridQueue.Tasks.Jobs;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// The acceptance test for crashes: the server runs as a child process with 50 tasks in flight against the T8Star-format
/// simulator and is killed with SIGKILL; after a restart on the same database every task reaches a terminal status,
/// and the simulator confirms that no task was submitted upstream twice. At the kill most tasks are being polled, five
/// submits are held on their way upstream and five tasks wait queued. The simulator drops some submit responses on
/// purpose; those tasks and the ones whose submit the kill interrupted end failed with the documented outcome-unknown
/// message, never resubmitted; all others succeed.
/// </summary>
public sealed class ServerCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int TaskCount = 50;
    private const int FirstBatch = 40;
    private const int InFlightBatch = 5;

    // Each user may run 5 tasks at once: the first batch is spread over 8 users, so all of it runs; the last ten
    // belong to one more user, so five of them run (their submits held upstream) and five wait queued for a slot.
    private const int PerUserLimit = 5;
    private const int SpreadUsers = 8;
    private const int LastUser = SpreadUsers;

    private readonly ServerProcessGroup _servers = new("gq-crash-test-");
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private SimulatorHost _simulator = null!;

    private string DatabaseFile => Path.Combine(_servers.Folder, "gq.db");

    /// <summary>
    /// Some submit answers are lost on purpose; some requests are slow, so that the odd submit or poll is still on
    /// its way at any moment.
    /// </summary>
    private static SimulatorFaults Baseline { get; } = new()
    {
        DropSubmitRate = 0.15,
        SlowRate = 0.2,
        SlowDelay = TimeSpan.FromSeconds(1),
    };

    public async Task InitializeAsync() =>
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            // Long enough that most of the first batch still runs upstream at the kill even when a loaded machine
            // makes the steps before it slow (at 4 s, a full test run once found only 18 of 50 unfinished).
            Duration = TimeSpan.FromSeconds(10),
            Seed = 20261128,
            Faults = Baseline,
        });

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task ServerKilledWithTasksInFlight_AfterRestart_EveryTaskEndsAndNoneWasSubmittedTwice()
    {
        var passed = false;
        try
        {
            await RunAsync();
            passed = true;
        }
        finally
        {
            if (!passed)
            {
                output.WriteLine(_servers.Tails());
            }
        }
    }

    private async Task RunAsync()
    {
        // 1. The server as a child process; 40 tasks, until most of them run upstream.
        var first = await StartServerAsync("first");
        var clients = await ClientsAsync(first);
        var prompts = Enumerable.Range(0, TaskCount).Select(i => $"crash test {_runTag} task {i:D2}").ToList();
        var created = (await Task.WhenAll(Enumerable.Range(0, FirstBatch).Select(i => clients[i % SpreadUsers].GenerateAsync(TaskApi.Body(prompts[i]))))).ToList();
        await WaitUntilAsync(
            async () => (await AllTasksAsync(clients)).Values.Count(t => t.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String) >= 30,
            "30 tasks were accepted upstream",
            TimeSpan.FromSeconds(30));

        // 2. From now every request is held for 10 s: five more tasks, until their submits are all on the way...
        _simulator.Faults = Baseline with { SlowRate = 1, SlowDelay = TimeSpan.FromSeconds(10) };
        var held = await Task.WhenAll(Enumerable.Range(FirstBatch, InFlightBatch).Select(i => clients[LastUser].GenerateAsync(TaskApi.Body(prompts[i]))));
        created.AddRange(held);
        await WaitUntilAsync(
            async () =>
            {
                var all = await AllTasksAsync(clients);
                return held.All(t => all[t.Id()].Status() == "running");
            },
            "the five submits were on their way upstream",
            TimeSpan.FromSeconds(30));

        // ... then five more for the same user, queued behind its limit, and the kill.
        var waiting = await Task.WhenAll(Enumerable.Range(FirstBatch + InFlightBatch, TaskCount - FirstBatch - InFlightBatch).Select(i => clients[LastUser].GenerateAsync(TaskApi.Body(prompts[i]))));
        created.AddRange(waiting);
        first.KillHard();
        _simulator.Faults = Baseline;
        DisposeAll(clients);

        var ids = created.Select(t => t.Id()).ToList();
        var promptOf = created.ToDictionary(t => t.Id(), t => t.GetProperty("prompt").GetString()!, StringComparer.Ordinal);
        Assert.Equal(TaskCount, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(prompts.Order(StringComparer.Ordinal), promptOf.Values.Order(StringComparer.Ordinal));

        // What the killed server left behind, read from its file before anything else touches it.
        var atKill = await StoredTasks.ReadAsync(DatabaseFile);
        Assert.Equal(ids.Order(StringComparer.Ordinal), atKill.Keys.Order(StringComparer.Ordinal));
        var inFlightAtKill = atKill.Values.Where(t => t is { Status: "running", SubmitState: "in_flight" }).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var unfinishedAtKill = atKill.Values.Count(t => !t.IsTerminal);
        Assert.True(unfinishedAtKill >= 25, $"only {unfinishedAtKill} tasks were unfinished at the kill");
        Assert.True(held.All(t => inFlightAtKill.Contains(t.Id())), "the held submits were in flight at the kill");
        Assert.True(waiting.All(t => atKill[t.Id()].Status == "queued"), "the last five were queued at the kill");

        // 3. Restart on the same folder (database and Data Protection keys); every task must end.
        var restarted = await StartServerAsync("restart");
        clients = await ClientsAsync(restarted);
        Dictionary<string, JsonElement> final = [];
        await WaitUntilAsync(
            async () =>
            {
                final = await AllTasksAsync(clients);
                return final.Count == TaskCount && final.Values.All(t => t.IsTerminal());
            },
            "every task reached a terminal status after the restart",
            TimeSpan.FromSeconds(60));
        DisposeAll(clients);

        // 4. The simulator's side: only our prompts, none more than once.
        var submissions = _simulator.State.SubmissionsByPrompt();
        var simulated = _simulator.State.Tasks();
        var dropped = _simulator.State.DroppedResponses;
        Assert.All(submissions.Keys, p => Assert.Contains(p, prompts));
        var twice = submissions.Where(kv => kv.Value > 1).Select(kv => $"{kv.Key} ×{kv.Value}").ToList();
        Assert.True(twice.Count == 0, "submitted upstream more than once: " + string.Join(", ", twice));

        // 5. Each task's end, against what the kill left and what the simulator saw.
        int succeeded = 0, failedDropped = 0, failedInFlight = 0, inFlightReachedUpstream = 0;
        foreach (var id in ids)
        {
            var task = final[id];
            var before = atKill[id];
            var prompt = promptOf[id];
            var upstreamCount = submissions.GetValueOrDefault(prompt);
            var message = task.GetProperty("error_message").ValueKind == JsonValueKind.String ? task.GetProperty("error_message").GetString()! : null;
            var described = $"task {id} ({prompt}; at the kill {before}): {task}";
            if (before.IsTerminal)
            {
                // Terminal is terminal: the restart changed nothing about it.
                Assert.True(before.Status == task.Status() && before.ErrorMessage == message, described);
            }

            if (inFlightAtKill.Contains(id))
            {
                // The submit was on its way when the process died: the outcome is unknown, so it is not sent again.
                Assert.True(task.Status() == "failed" && message == TaskMessages.OutcomeUnknown, described);
                Assert.True(upstreamCount <= 1, described);
                Assert.Equal(JsonValueKind.Null, task.GetProperty("upstream_task_id").ValueKind);
                failedInFlight++;
                inFlightReachedUpstream += upstreamCount;
                continue;
            }

            // Everything else was submitted exactly once, before or after the kill.
            Assert.True(upstreamCount == 1, $"submitted {upstreamCount} times: {described}");
            var upstream = simulated.Single(s => s.Prompt == prompt);
            switch (task.Status())
            {
                case "succeeded":
                    Assert.Equal(upstream.Id, task.GetProperty("upstream_task_id").GetString());
                    Assert.EndsWith($"/videos/{upstream.Id}.mp4", task.GetProperty("video_url").GetString(), StringComparison.Ordinal);
                    Assert.Equal(100, task.GetProperty("progress").GetInt32());
                    succeeded++;
                    break;
                case "failed":
                    // The simulator took the submit and dropped the answer: the documented outcome-unknown failure,
                    // with the provider's reason after it.
                    Assert.True(message is not null && message.StartsWith(TaskMessages.OutcomeUnknown + " (", StringComparison.Ordinal), described);
                    Assert.Equal(JsonValueKind.Null, task.GetProperty("upstream_task_id").ValueKind);
                    Assert.Equal(JsonValueKind.Null, task.GetProperty("video_url").ValueKind);
                    failedDropped++;
                    break;
                default:
                    Assert.Fail($"unexpected status: {described}");
                    break;
            }
        }

        // Every dropped answer belongs to a task that failed for it, or to a submit the kill interrupted anyway.
        Assert.True(dropped >= 1, "the simulator dropped no submit response; the test did not exercise that case");
        Assert.InRange(failedDropped, 0, dropped);
        Assert.InRange(dropped, failedDropped, failedDropped + inFlightReachedUpstream);
        Assert.Equal(succeeded + failedDropped + inFlightReachedUpstream, _simulator.State.Submissions);
        Assert.Equal(TaskCount, succeeded + failedDropped + failedInFlight);

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{TaskCount} tasks; at the SIGKILL: {unfinishedAtKill} unfinished ({atKill.Values.Count(t => t.Status == "queued")} queued, " +
            $"{inFlightAtKill.Count} with a submit in flight, {atKill.Values.Count(t => t is { Status: "running", SubmitState: "accepted" })} accepted upstream), " +
            $"{atKill.Values.Count(t => t.IsTerminal)} already ended."));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"After the restart: {succeeded} succeeded, {failedDropped + failedInFlight} failed as outcome unknown " +
            $"({failedDropped} dropped answers, {failedInFlight} submits interrupted by the kill, {inFlightReachedUpstream} of which had reached the simulator); " +
            $"simulator: {_simulator.State.Submissions} submissions, {dropped} dropped responses, none twice."));
    }

    private async Task<ServerProcess> StartServerAsync(string name)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Storage__ConnectionString"] = $"Data Source={DatabaseFile}",
            ["Auth__Mode"] = "dev",
            ["Auth__AllowDevMode"] = "true",
            ["Providers__Default"] = "t8star",
            ["Providers__T8Star__BaseUrl"] = _simulator.BaseAddress.ToString(),
            ["Providers__T8Star__ApiKey"] = SimulatorOptions.DefaultApiKey,
            ["Tasks__PollInterval"] = "00:00:00.250",
            ["Tasks__MaxRunningPerUser"] = PerUserLimit.ToString(CultureInfo.InvariantCulture),
            ["Api__GeneratePerMinute"] = "0",
            ["Api__ActionsPerMinute"] = "0",

            // A short lease, so the restarted server rescues the killed one's jobs within seconds.
            ["GridQueue__Engine__LeaseDuration"] = "00:00:03",
            ["GridQueue__Engine__RescueInterval"] = "00:00:01",
            ["GridQueue__Engine__CancelCheckInterval"] = "00:00:01",
            ["GridQueue__Engine__PollInterval"] = "00:00:00.200",
        };
        return await _servers.StartAsync(environment, name);
    }

    private static async Task<HttpClient[]> ClientsAsync(ServerProcess server) =>
        await Task.WhenAll(Enumerable.Range(0, SpreadUsers + 1).Select(u => server.CreateClientAsync($"crash-user-{u}")));

    private static void DisposeAll(HttpClient[] clients)
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    /// <summary>Every task of the given users, by id, through the list route.</summary>
    private static async Task<Dictionary<string, JsonElement>> AllTasksAsync(IEnumerable<HttpClient> clients)
    {
        var all = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var client in clients)
        {
            var (status, envelope) = await client.GetEnvelopeAsync("api/v1/video/tasks?limit=100");
            Assert.True(status == System.Net.HttpStatusCode.OK, $"list answered {(int)status}: {envelope}");
            foreach (var task in envelope.GetProperty("data").GetProperty("items").EnumerateArray())
            {
                all[task.Id()] = task;
            }
        }

        return all;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }
}
