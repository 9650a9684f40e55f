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
    public async Task Events_LastEventIdAheadOfTheLog_Returns400BadRequestInHeaderAndQueryForms()
    {
        var token = await _server.TokenAsync("ahead");
        using var client = await _server.CreateClientAsync("ahead");
        await using var witness = await SseClient.ConnectAsync(_server.Address, token);
        var task = await client.GenerateAsync(TaskApi.Body());
        var newest = (await witness.ReadUntilAsync(e => e.Data.Id() == task.Id() && e.Data.IsTerminal()))[^1].Id;
        using var raw = _server.CreateClient();
        raw.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        using var header = new HttpRequestMessage(HttpMethod.Get, "api/v1/video/events");
        header.Headers.Add("Last-Event-ID", (newest + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var byHeader = await raw.SendRawAsync(header);
        var byQuery = await raw.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/events?last_event_id={newest + 1}"));
        var farAhead = await raw.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/events?task_id={task.Id()}&last_event_id={long.MaxValue}"));

        foreach (var response in new[] { byHeader, byQuery, farAhead })
        {
            var error = ErrorEnvelope.AssertError(response, System.Net.HttpStatusCode.BadRequest, "BAD_REQUEST");
            var message = error.GetProperty("message").GetString()!;
            Assert.Contains("ahead of this server's event log", message, StringComparison.Ordinal);
            Assert.Contains("Reconnect without Last-Event-ID", message, StringComparison.Ordinal);
        }

        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Events_LastEventIdEqualToTheNewest_ResumesAndDeliversWhatFollows()
    {
        var token = await _server.TokenAsync("at-newest");
        using var client = await _server.CreateClientAsync("at-newest");
        await using var witness = await SseClient.ConnectAsync(_server.Address, token);
        var first = await client.GenerateAsync(TaskApi.Body("first"));
        var newest = (await witness.ReadUntilAsync(e => e.Data.Id() == first.Id() && e.Data.IsTerminal()))[^1].Id;

        await using var byHeader = await SseClient.ConnectAsync(_server.Address, token, lastEventId: newest);
        await using var byQuery = await SseClient.ConnectAsync(_server.Address, token, $"?last_event_id={newest}");
        var second = await client.GenerateAsync(TaskApi.Body("second"));

        foreach (var stream in new[] { byHeader, byQuery })
        {
            var events = await stream.ReadUntilAsync(e => e.Data.Id() == second.Id() && e.Data.IsTerminal());
            Assert.All(events, e => Assert.Equal(second.Id(), e.Data.Id()));
            Assert.All(events, e => Assert.True(e.Id > newest, $"event {e.Id} is not after {newest}"));
            Assert.Equal("queued", events[0].Data.Status());
        }
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
