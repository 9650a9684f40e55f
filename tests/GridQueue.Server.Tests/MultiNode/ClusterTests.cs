using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using GridQueue.Tasks.Jobs;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.MultiNode;

/// <summary>
/// The acceptance test for several nodes: three server processes share one PostgreSQL database and take 300 tasks
/// over HTTP for the t8star provider against the simulator, a third of them with the user's own key. One node is
/// killed with SIGKILL while tasks run. Every task ends; none is submitted upstream twice; one Idempotency-Key sent to
/// two nodes at once makes one task; no user ever has more tasks running than the limit, counted in the database
/// while it all runs; and an SSE client on a surviving node receives every change of its user's tasks, in the order
/// of the event table.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int TaskCount = 300;
    private const int FirstBatch = 200;
    private const int Users = 10;
    private const int PerUserLimit = 4;
    private const string UsersKey = "users-own-key";
    private const string Watched = "cluster-user-0";

    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private SimulatorHost _simulator = null!;
    private PostgresNodes _nodes = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Duration = TimeSpan.FromSeconds(2),
            Seed = 20261202,
            ExtraApiKeys = [UsersKey],
        });
        _nodes = await PostgresNodes.CreateAsync(_simulator.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task ThreeNodesOneKilled_EveryTaskEndsSubmittedOnce_LimitsKeysAndEventOrderHoldAcrossNodes()
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
                output.WriteLine(_nodes.Tails());
            }
        }
    }

    private async Task RunAsync()
    {
        var limit = new Dictionary<string, string>(StringComparer.Ordinal) { ["Tasks__MaxRunningPerUser"] = PerUserLimit.ToString(CultureInfo.InvariantCulture) };
        ServerProcess[] nodes = [await _nodes.StartAsync("node-0", limit), await _nodes.StartAsync("node-1", limit), await _nodes.StartAsync("node-2", limit)];
        var clients = await Task.WhenAll(nodes.Select(n => Task.WhenAll(Enumerable.Range(0, Users).Select(u => n.CreateClientAsync($"cluster-user-{u}")))));
        var victim = nodes[1];
        var survivor = nodes[2];

        // The watched user's live stream, on a node that survives, open before any of its tasks exists.
        var watchedClient = clients[2][0];
        await using var stream = await SseClient.ConnectAsync(survivor.Address, watchedClient.DefaultRequestHeaders.Authorization!.Parameter!);

        using var sampling = new CancellationTokenSource();
        var highestRunning = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var sampler = SampleRunningAsync(highestRunning, sampling.Token);

        // The same Idempotency-Key to two nodes at once: one task.
        var idempotent = new Dictionary<string, string> { ["Idempotency-Key"] = $"cluster-{_runTag}" };
        var twins = await Task.WhenAll(
            clients[0][1].GenerateAsync(TaskApi.Body($"cluster {_runTag} idempotent"), idempotent),
            clients[1][1].GenerateAsync(TaskApi.Body($"cluster {_runTag} idempotent"), idempotent));
        Assert.Equal(twins[0].Id(), twins[1].Id());

        // Tasks 0..199 spread over the three nodes, then the kill while they run, then the rest on the survivors.
        var prompts = Enumerable.Range(0, TaskCount).Select(i => $"cluster {_runTag} task {i:D3}").ToList();
        var created = new ConcurrentDictionary<string, string>(StringComparer.Ordinal) { [twins[0].Id()] = $"cluster {_runTag} idempotent" };
        await SubmitAsync(clients, [0, 1, 2], prompts, 0, FirstBatch, created);
        await WaitUntilAsync(
            async () => (await _nodes.QueryAsync("SELECT count(*) FROM gq_tasks WHERE upstream_task_id IS NOT NULL", r => r.GetInt64(0)))[0] >= 40,
            "40 tasks were accepted upstream",
            TimeSpan.FromSeconds(30));
        var atKill = await CountByStatusAsync();
        victim.KillHard();
        await SubmitAsync(clients, [0, 2], prompts, FirstBatch, TaskCount, created);
        Assert.Equal(TaskCount + 1, created.Count);

        // Every task ends: the killed node's jobs are rescued (leader-only chores moved if it led).
        try
        {
            await WaitUntilAsync(
                async () => (await _nodes.QueryAsync("SELECT count(*) FROM gq_tasks WHERE status IN ('queued', 'running')", r => r.GetInt64(0)))[0] == 0,
                "every task reached a terminal status",
                TimeSpan.FromSeconds(90));
        }
        finally
        {
            output.WriteLine($"At the kill: {atKill}; at the end: {await CountByStatusAsync()}; jobs: " + string.Join(", ", await _nodes.QueryAsync(
                "SELECT kind || ' ' || state || ' ' || count(*) FROM gq_jobs GROUP BY kind, state ORDER BY 1", r => r.GetString(0))));
        }

        await sampling.CancelAsync();
        await sampler;

        // Per task, through the API of a surviving node: succeeded, or failed because its submit was in flight on the
        // killed node (the outcome is unknown, so it is never sent again).
        var final = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var client in clients[0])
        {
            var (status, envelope) = await client.GetEnvelopeAsync("api/v1/video/tasks?limit=100");
            Assert.True(status == HttpStatusCode.OK, $"list answered {(int)status}: {envelope}");
            foreach (var task in envelope.GetProperty("data").GetProperty("items").EnumerateArray())
            {
                final[task.Id()] = task;
            }
        }

        Assert.Equal(created.Keys.Order(StringComparer.Ordinal), final.Keys.Order(StringComparer.Ordinal));
        var outcomeUnknown = 0;
        foreach (var task in final.Values)
        {
            Assert.True(task.IsTerminal(), $"not terminal: {task}");
            if (task.Status() != "succeeded")
            {
                var message = task.GetProperty("error_message").GetString() ?? "";
                Assert.True(task.Status() == "failed" && message.Contains(TaskMessages.OutcomeUnknown, StringComparison.Ordinal), $"unexpected end: {task}");
                outcomeUnknown++;
            }
        }

        // None submitted upstream twice, and only our prompts.
        var submissions = _simulator.State.SubmissionsByPrompt();
        Assert.All(submissions.Keys, p => Assert.Contains(p, created.Values));
        var twice = submissions.Where(kv => kv.Value > 1).Select(kv => $"{kv.Key} ×{kv.Value}").ToList();
        Assert.True(twice.Count == 0, "submitted upstream more than once: " + string.Join(", ", twice));
        Assert.Equal(TaskCount + 1 - outcomeUnknown, final.Values.Count(t => t.Status() == "succeeded"));

        // The per-user limit held across the nodes at every sample.
        Assert.NotEmpty(highestRunning);
        Assert.All(highestRunning, kv => Assert.True(kv.Value <= PerUserLimit, $"{kv.Key} had {kv.Value} tasks running at once"));
        Assert.Contains(highestRunning.Values, v => v == PerUserLimit); // the limit was reached, so it was tested

        // The live stream on the survivor: every change of the watched user's tasks, in the table's order.
        var expected = await _nodes.QueryAsync(
            $"SELECT seq FROM gq_task_events WHERE user_id = '{Watched}' ORDER BY seq", r => r.GetInt64(0));
        var received = new List<long>();
        while (received.Count == 0 || received[^1] < expected[^1])
        {
            received.Add((await stream.NextAsync(TimeSpan.FromSeconds(20))).Id);
        }

        Assert.Equal(expected, received);

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{TaskCount + 1} tasks on 3 nodes; at the kill of node-1: {atKill}; {outcomeUnknown} failed as outcome unknown, " +
            $"the rest succeeded; simulator: {_simulator.State.Submissions} submissions, none twice; highest running per user " +
            $"{highestRunning.Values.Max()} (limit {PerUserLimit}); {received.Count} events streamed to {Watched} on node-2 in order."));
    }

    /// <summary>Tasks [from, to) round-robin over the given nodes and the users; every third with the user's key.</summary>
    private static async Task SubmitAsync(
        HttpClient[][] clients, int[] nodes, List<string> prompts, int from, int to, ConcurrentDictionary<string, string> created)
    {
        var ownKey = new Dictionary<string, string> { ["X-User-Api-Key"] = UsersKey };
        await Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var client = clients[nodes[i % nodes.Length]][i % Users];
            var task = await client.GenerateAsync(TaskApi.Body(prompts[i]), i % 3 == 0 ? ownKey : null);
            Assert.True(created.TryAdd(task.Id(), prompts[i]), $"task {task.Id()} returned twice");
        });
    }

    /// <summary>Counts each user's running tasks in the database every few milliseconds and keeps the highest.</summary>
    private async Task SampleRunningAsync(ConcurrentDictionary<string, long> highest, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var rows = await _nodes.QueryAsync(
                "SELECT user_id, count(*) FROM gq_tasks WHERE status = 'running' GROUP BY user_id",
                r => (User: r.GetString(0), Running: r.GetInt64(1)));
            foreach (var (user, running) in rows)
            {
                highest.AddOrUpdate(user, running, (_, seen) => Math.Max(seen, running));
            }

            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<string> CountByStatusAsync()
    {
        var rows = await _nodes.QueryAsync(
            "SELECT status, count(*) FROM gq_tasks GROUP BY status ORDER BY status", r => $"{r.GetInt64(1)} {r.GetString(0)}");
        return string.Join(", ", rows);
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
