using System.Net;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>Per-user limits, the deadline, health routes.</summary>
public sealed class LimitsAndHealthTests
{
    [Fact]
    public async Task Generate_OverTheUserLimit_WaitsQueuedAndNeverRunsMoreThanTheLimit()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tasks:MaxRunningPerUser"] = "2",
            ["Providers:Simulator:Duration"] = "00:00:01",
        });
        using var alice = await server.CreateClientAsync("alice");
        using var bob = await server.CreateClientAsync("bob");
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await alice.GenerateAsync(TaskApi.Body($"alice {i}"))).Id());
        }

        var bobs = await bob.GenerateAsync(TaskApi.Body("bob"));
        var peak = 0;
        var bobStartedWhileAliceWaited = false;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var (_, page) = await alice.GetEnvelopeAsync("api/v1/video/tasks?limit=100");
            var statuses = page.GetProperty("data").GetProperty("items").EnumerateArray().Select(t => t.Status()).ToList();
            peak = Math.Max(peak, statuses.Count(s => s == "running"));
            if ((await bob.StatusAsync(bobs.Id())).Status() != "queued" && statuses.Contains("queued"))
            {
                bobStartedWhileAliceWaited = true;
            }

            if (statuses.All(s => s == "succeeded"))
            {
                break;
            }

            await Task.Delay(30);
        }

        Assert.Equal(2, peak);
        Assert.True(bobStartedWhileAliceWaited, "another user's task is not held back by alice's queue");
        foreach (var id in ids)
        {
            Assert.Equal("succeeded", (await alice.StatusAsync(id)).Status());
        }
    }

    [Fact]
    public async Task Generate_OverTheProviderLimit_RunsAtMostThatManyAcrossUsers()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tasks:MaxRunningPerProvider:simulator"] = "1",
            ["Providers:Simulator:Duration"] = "00:00:00.600",
        });
        var clients = new List<HttpClient>();
        var ids = new List<(HttpClient Client, string Id)>();
        foreach (var user in new[] { "p1", "p2", "p3" })
        {
            var client = await server.CreateClientAsync(user);
            clients.Add(client);
            ids.Add((client, (await client.GenerateAsync(TaskApi.Body(user))).Id()));
        }

        // The running tasks of all users are read in one request (one snapshot): three status requests side by side
        // could see one task still running and, a moment later, the next one already started.
        using var admin = await server.CreateAdminClientAsync("ops");
        var peak = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var (_, running) = await admin.GetEnvelopeAsync("api/v1/admin/tasks?status=running&provider=simulator");
            peak = Math.Max(peak, running.GetProperty("data").GetProperty("items").GetArrayLength());
            var statuses = await Task.WhenAll(ids.Select(async t => (await t.Client.StatusAsync(t.Id)).Status()));
            if (statuses.All(s => s == "succeeded"))
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.Equal(1, peak);
        foreach (var (client, id) in ids)
        {
            Assert.Equal("succeeded", (await client.StatusAsync(id)).Status());
        }

        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Poll_PastTheDeadline_FailsTheTaskSayingSo()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tasks:Deadline"] = "00:00:01",
            ["Providers:Simulator:Duration"] = "00:01:00",
        });
        using var client = await server.CreateClientAsync("alice");
        var task = await client.GenerateAsync(TaskApi.Body());
        var failed = await client.WaitForStatusAsync(task.Id(), "failed");
        Assert.Contains("did not finish within 1 s", failed.GetProperty("error_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_OverTheRateLimit_Answers429WithRetryAfterAndCreatesNothing()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Api:GeneratePerMinute"] = "2" });
        using var alice = await server.CreateClientAsync("alice");
        using var bob = await server.CreateClientAsync("bob");
        await alice.GenerateAsync(TaskApi.Body("one"));
        await alice.GenerateAsync(TaskApi.Body("two"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/video/generate") { Content = System.Net.Http.Json.JsonContent.Create(TaskApi.Body("three")) };
        using var response = await alice.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("\"code\":\"RATE_LIMITED\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (_, list) = await alice.GetEnvelopeAsync("api/v1/video/tasks");
        Assert.Equal(2, list.GetProperty("data").GetProperty("items").GetArrayLength());
        await bob.GenerateAsync(TaskApi.Body("bob has his own budget"));
    }

    [Fact]
    public async Task Health_ServingAndMigrated_BothAnswer200()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
    }

    [Fact]
    public async Task Readyz_DatabaseGone_Answers503()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.CreateClient();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(Path.Combine(server.Folder, "gridqueue.db"));
        File.Delete(Path.Combine(server.Folder, "gridqueue.db-wal"));
        File.Delete(Path.Combine(server.Folder, "gridqueue.db-shm"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("readyz")).StatusCode);
    }
}
