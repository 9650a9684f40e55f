using System.Net;
using System.Text.Json;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>
/// One user never sees, changes or hears about another user's tasks: to user B, user A's task answers exactly like a
/// task that does not exist.
/// </summary>
public sealed class IsolationTests : IAsyncLifetime
{
    private const string MissingId = "tsk_00000000000000000000000000";
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Status_OtherUsersTask_Returns404ExactlyLikeAMissingTask()
    {
        using var alice = await _server.CreateClientAsync("alice");
        using var bob = await _server.CreateClientAsync("bob");
        var task = await alice.GenerateAsync(TaskApi.Body());

        var foreign = await bob.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/status/{task.Id()}"));
        var missing = await bob.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/status/{MissingId}"));

        ErrorEnvelope.AssertError(foreign, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(missing.Text, foreign.Text);
        Assert.Null(foreign.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetEnvelopeAsync($"api/v1/video/status/{task.Id()}")).Status);
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Cancel_OtherUsersActiveTask_Returns404AndLeavesTheTaskAlone()
    {
        using var alice = await _server.CreateClientAsync("alice");
        using var bob = await _server.CreateClientAsync("bob");
        var task = await alice.GenerateAsync(TaskApi.Body());

        var foreign = await bob.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/cancel/{task.Id()}"));
        var missing = await bob.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/cancel/{MissingId}"));

        ErrorEnvelope.AssertError(foreign, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(missing.Text, foreign.Text);
        Assert.NotEqual("cancelled", (await alice.StatusAsync(task.Id())).Status());

        // The owner can still cancel it: B's 404 came from ownership, not from the task's state.
        var (status, cancelled) = await alice.PostEnvelopeAsync($"api/v1/video/cancel/{task.Id()}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", cancelled.GetProperty("data").Status());
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Retry_OtherUsersFailedTask_Returns404AndLeavesTheTaskFailed()
    {
        await using var failing = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        using var alice = await failing.CreateClientAsync("alice");
        using var bob = await failing.CreateClientAsync("bob");
        var task = await alice.GenerateAsync(TaskApi.Body());
        var failed = await alice.WaitForStatusAsync(task.Id(), "failed");

        var foreign = await bob.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/retry/{task.Id()}"));
        var missing = await bob.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/retry/{MissingId}"));

        ErrorEnvelope.AssertError(foreign, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(missing.Text, foreign.Text);
        Assert.Equal(failed.ToString(), (await alice.StatusAsync(task.Id())).ToString());

        // The owner can retry it: B's 404 came from ownership, not from the task's state.
        var (status, retried) = await alice.PostEnvelopeAsync($"api/v1/video/retry/{task.Id()}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, retried.GetProperty("data").GetProperty("attempt").GetInt32());
        failing.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task List_OtherUsersTasks_AreNeverShown()
    {
        using var alice = await _server.CreateClientAsync("alice");
        using var bob = await _server.CreateClientAsync("bob");
        var aliceIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            aliceIds.Add((await alice.GenerateAsync(TaskApi.Body($"alice {i}"))).Id());
        }

        var bobId = (await bob.GenerateAsync(TaskApi.Body("bob's"))).Id();
        await alice.WaitForStatusAsync(aliceIds[0], "succeeded");

        foreach (var query in new[] { "", "?limit=100", "?status=queued", "?status=running", "?status=succeeded", $"?cursor={aliceIds[^1]}", $"?cursor={MissingId.Replace('0', 'Z')}" })
        {
            var (status, envelope) = await bob.GetEnvelopeAsync("api/v1/video/tasks" + query);
            Assert.Equal(HttpStatusCode.OK, status);
            var items = envelope.GetProperty("data").GetProperty("items").EnumerateArray().ToList();
            Assert.All(items, t => Assert.Equal("bob", t.GetProperty("user_id").GetString()));
            Assert.DoesNotContain(items, t => aliceIds.Contains(t.Id()));
        }

        var (_, bobs) = await bob.GetEnvelopeAsync("api/v1/video/tasks");
        Assert.Equal(new[] { bobId }, bobs.GetProperty("data").GetProperty("items").EnumerateArray().Select(t => t.Id()));
        var (_, alices) = await alice.GetEnvelopeAsync("api/v1/video/tasks");
        Assert.Equal(aliceIds.AsEnumerable().Reverse(), alices.GetProperty("data").GetProperty("items").EnumerateArray().Select(t => t.Id()));
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Events_OtherUsersTaskRunningToTheEnd_NeverReachesTheStream()
    {
        using var alice = await _server.CreateClientAsync("alice");
        using var bob = await _server.CreateClientAsync("bob");
        var bobToken = await _server.TokenAsync("bob");
        await using var bobStream = await SseClient.ConnectAsync(_server.Address, bobToken);
        await using var aliceStream = await SseClient.ConnectAsync(_server.Address, await _server.TokenAsync("alice"));

        // Alice's task runs to the end; her own stream sees it (the events exist and are delivered).
        var aliceTask = await alice.GenerateAsync(TaskApi.Body("alice's"));
        var aliceEvents = await aliceStream.ReadUntilAsync(e => e.Data.Id() == aliceTask.Id() && e.Data.IsTerminal());
        Assert.Contains(aliceEvents, e => e.Data.Status() == "running");

        // Then one task of Bob's. Events reach a stream in order, so any of Alice's would come before it.
        var bobTask = await bob.GenerateAsync(TaskApi.Body("bob's"));
        var bobEvents = await bobStream.ReadUntilAsync(e => e.Data.Id() == bobTask.Id() && e.Data.IsTerminal());
        bobEvents.AddRange(bobStream.Drain());
        AssertOnlyBobs(bobEvents, bobTask.Id());

        // A reconnect that replays everything from the start carries Bob's task only, too.
        await using var replay = await SseClient.ConnectAsync(_server.Address, bobToken, lastEventId: 0);
        var replayed = await replay.ReadUntilAsync(e => e.Data.Id() == bobTask.Id() && e.Data.IsTerminal());
        AssertOnlyBobs(replayed, bobTask.Id());
        Assert.Equal(bobEvents.Select(e => e.Id), replayed.Select(e => e.Id));
        _server.AssertNoErrorsLogged();
    }

    private static void AssertOnlyBobs(List<SseEvent> events, string bobTaskId)
    {
        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            Assert.Equal(bobTaskId, e.Data.Id());
            Assert.Equal("bob", e.Data.GetProperty("user_id").GetString());
        });
    }
}
