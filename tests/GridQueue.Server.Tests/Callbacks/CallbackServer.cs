using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using GridQueue.Tasks.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Server.Tests.Callbacks;

/// <summary>
/// A server whose Server__PublicUrl is its own loopback address, with the t8star provider pointed at a
/// GridQueue.Simulator, so the simulator's task-end callbacks reach the server over HTTP.
/// </summary>
internal static class CallbackServer
{
    /// <summary>A poll interval no test waits for: a task that ends within a test ended through its callback.</summary>
    public const string NeverPoll = "00:10:00";

    public static async Task<RunningServer> StartAsync(SimulatorHost simulator, IDictionary<string, string?>? settings = null)
    {
        // The public URL names the server's own port, so the port is chosen before the server starts.
        var port = FreePort();
        var merged = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Server:PublicUrl"] = $"http://127.0.0.1:{port}/",
            ["Providers:T8Star:BaseUrl"] = simulator.BaseAddress.ToString(),
            ["Providers:T8Star:ApiKey"] = "sim-key",
            ["Providers:Default"] = "t8star",
            ["Tasks:PollInterval"] = NeverPoll,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        return await RunningServer.StartAsync(merged, port: port);
    }

    /// <summary>The simulator's record of the task's upstream job (its notify_hook and status query count).</summary>
    public static SimulatedTask Upstream(SimulatorHost simulator, JsonElement task)
    {
        var upstreamId = task.GetProperty("upstream_task_id").GetString()!;
        Assert.True(simulator.State.TryGetTask(upstreamId, out var upstream), $"the simulator knows {upstreamId}");
        return upstream;
    }

    /// <summary>The task once it runs upstream with its poll job stored (the state a callback can wake).</summary>
    public static Task<JsonElement> WaitUntilPolledAsync(HttpClient client, string taskId) =>
        client.WaitAsync(taskId, t => t.Status() == "running" && t.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String);

    /// <summary>The poll job of a task, as stored.</summary>
    public static async Task<Job> PollJobAsync(RunningServer server, string taskId)
    {
        var engine = server.Services.GetRequiredService<JobEngine>();
        var jobs = await engine.ListAsync(new JobListQuery { Kind = TaskJobs.Poll, Limit = 10_000 });
        return Assert.Single(jobs, j => j.Args.Contains($"\"{taskId}\"", StringComparison.Ordinal));
    }

    /// <summary>Waits until the simulator reports the upstream job ended (its own clock decides; no server is asked).</summary>
    public static async Task WaitUntilEndedUpstreamAsync(SimulatedTask upstream)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (upstream.ViewAt(DateTimeOffset.UtcNow).FinishedAt is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"upstream task {upstream.Id} did not end");
            await Task.Delay(50);
        }
    }

    public static async Task<HttpStatusCode> CallAsync(HttpClient client, string url, HttpMethod? method = null)
    {
        method ??= HttpMethod.Post;
        using var request = new HttpRequestMessage(method, url);
        if (method != HttpMethod.Get)
        {
            request.Content = new StringContent("{\"status\":\"SUCCESS\"}"); // believed by no one: the poll decides
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
