using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>The SSE stream: resume with Last-Event-ID, narrowing to one task, pings.</summary>
public sealed class EventStreamTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(new Dictionary<string, string?>
    {
        ["Providers:Simulator:Duration"] = "00:00:02",
        ["Api:SsePingInterval"] = "00:00:00.200",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Events_ReconnectWithLastEventId_ReceivesEveryMissedChangeInOrderWithoutDuplicates()
    {
        var token = await _server.TokenAsync("alice");
        using var client = await _server.CreateClientAsync("alice");
        await using var witness = await SseClient.ConnectAsync(_server.Address, token);
        var first = await SseClient.ConnectAsync(_server.Address, token);

        var task = await client.GenerateAsync(TaskApi.Body());
        var beforeDrop = await first.ReadUntilAsync(e => e.Data.Id() == task.Id() && e.Data.Status() == "running");
        await first.DisposeAsync();

        // Changes happen while the client is away.
        await client.WaitAsync(task.Id(), t => t.IsTerminal());
        await using var resumed = await SseClient.ConnectAsync(_server.Address, token, lastEventId: beforeDrop[^1].Id);
        var afterDrop = await resumed.ReadUntilAsync(e => e.Data.Id() == task.Id() && e.Data.IsTerminal());

        var all = await witness.ReadUntilAsync(e => e.Data.Id() == task.Id() && e.Data.IsTerminal());
        var stitched = beforeDrop.Concat(afterDrop).ToList();
        Assert.Equal(all.Select(e => e.Id), stitched.Select(e => e.Id));
        Assert.Equal(all.Select(e => e.Data.ToString()), stitched.Select(e => e.Data.ToString()));
        Assert.NotEmpty(afterDrop);
        Assert.Equal("succeeded", afterDrop[^1].Data.Status());
    }

    [Fact]
    public async Task Events_LastEventIdAsQueryParameter_ReplaysLikeTheHeader()
    {
        var token = await _server.TokenAsync("query-resume");
        using var client = await _server.CreateClientAsync("query-resume");
        var task = await client.GenerateAsync(TaskApi.Body());
        await client.WaitAsync(task.Id(), t => t.IsTerminal());

        await using var fromStart = await SseClient.ConnectAsync(_server.Address, token, "?last_event_id=0");
        var replayed = await fromStart.ReadUntilAsync(e => e.Data.IsTerminal());
        Assert.Equal("queued", replayed[0].Data.Status());
        Assert.Equal(replayed.Select(e => e.Id).Order(), replayed.Select(e => e.Id));
        Assert.All(replayed, e => Assert.Equal(task.Id(), e.Data.Id()));
    }

    [Fact]
    public async Task Events_WithTaskId_CarriesOnlyThatTask()
    {
        var token = await _server.TokenAsync("narrow");
        using var client = await _server.CreateClientAsync("narrow");
        var watched = await client.GenerateAsync(TaskApi.Body("watched"));
        await using var stream = await SseClient.ConnectAsync(_server.Address, token, $"?task_id={watched.Id()}&last_event_id=0");
        var other = await client.GenerateAsync(TaskApi.Body("other"));

        var events = await stream.ReadUntilAsync(e => e.Data.IsTerminal());
        await client.WaitAsync(other.Id(), t => t.IsTerminal());
        await Task.Delay(300); // give any wrongly routed event of the other task time to arrive
        events.AddRange(stream.Drain());
        Assert.All(events, e => Assert.Equal(watched.Id(), e.Data.Id()));
    }

    [Fact]
    public async Task Events_IdleStream_SendsPingComments()
    {
        await using var stream = await SseClient.ConnectAsync(_server.Address, await _server.TokenAsync("idle"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (stream.Comments < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(stream.Comments >= 2, $"saw {stream.Comments} ping comments");
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Events_AccessTokenInQuery_IsAcceptedForEventSource()
    {
        using var anonymous = _server.CreateClient();
        var token = await _server.TokenAsync("browser");
        using var response = await anonymous.GetAsync($"api/v1/video/events?access_token={token}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
