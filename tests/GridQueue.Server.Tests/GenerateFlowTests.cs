using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>A task from generate to succeeded with the in-process simulator, watched over the SSE stream.</summary>
public sealed class GenerateFlowTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Generate_WithSimulator_GoesQueuedRunningWithRisingProgressToSucceeded()
    {
        using var client = await _server.CreateClientAsync("alice");
        await using var stream = await SseClient.ConnectAsync(_server.Address, await _server.TokenAsync("alice"));

        var created = await client.GenerateAsync(TaskApi.Body());
        Assert.Equal("queued", created.Status());
        Assert.Equal("simulator", created.GetProperty("provider").GetString());
        Assert.Equal(1, created.GetProperty("attempt").GetInt32());
        Assert.StartsWith("tsk_", created.Id(), StringComparison.Ordinal);

        var events = await stream.ReadUntilAsync(e => e.Data.Id() == created.Id() && e.Data.IsTerminal());
        var statuses = events.Select(e => e.Data.Status()).Distinct().ToList();
        Assert.Equal(["queued", "running", "succeeded"], statuses);
        var progress = events.Select(e => e.Data.GetProperty("progress").GetInt32()).ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.Contains(progress, p => p is > 0 and < 100);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Id < p.Second.Id), "event ids increase");

        var done = events[^1].Data;
        Assert.Equal(100, done.GetProperty("progress").GetInt32());
        Assert.StartsWith("http", done.GetProperty("video_url").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, done.GetProperty("completed_at").ValueKind);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, done.GetProperty("upstream_task_id").ValueKind);

        var status = await client.StatusAsync(created.Id());
        Assert.Equal(done.ToString(), status.ToString());
        Assert.Empty(_server.ErrorLog.Errors);
    }

    [Fact]
    public async Task Status_WithMatchingIfNoneMatch_Returns304()
    {
        using var client = await _server.CreateClientAsync("alice");
        var created = await client.GenerateAsync(TaskApi.Body());
        var done = await client.WaitAsync(created.Id(), t => t.IsTerminal());

        using var first = await client.GetAsync($"api/v1/video/status/{created.Id()}", HttpCompletionOption.ResponseContentRead);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/status/{created.Id()}");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(etag, second.Headers.ETag);
        Assert.Equal("succeeded", done.Status());
    }

    [Fact]
    public async Task List_NewestFirstWithCursor_PagesThroughAllOfTheUsersTasks()
    {
        using var alice = await _server.CreateClientAsync("alice-list");
        using var bob = await _server.CreateClientAsync("bob-list");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await alice.GenerateAsync(TaskApi.Body($"kite {i}"))).Id());
        }

        await bob.GenerateAsync(TaskApi.Body("bob's"));
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var (status, envelope) = await alice.GetEnvelopeAsync($"api/v1/video/tasks?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}");
            Assert.Equal(System.Net.HttpStatusCode.OK, status);
            var data = envelope.GetProperty("data");
            seen.AddRange(data.GetProperty("items").EnumerateArray().Select(t => t.Id()));
            cursor = data.GetProperty("next_cursor").ValueKind == System.Text.Json.JsonValueKind.Null ? null : data.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        ids.Reverse();
        Assert.Equal(ids, seen);
    }
}
