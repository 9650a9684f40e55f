using System.Net.Http.Headers;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>
/// The stream's opening block: <c>retry: 2000</c> and <c>id: &lt;resume point&gt;</c> with no data, so a client that
/// drops before the first change still resumes without a gap; and "now" is right even just after a start.
/// </summary>
public sealed class EventStreamOpeningTests
{
    [Fact]
    public async Task Events_RightAfterARestart_OpenWithTheNewestIdAndReplayNothingOld()
    {
        var folder = Directory.CreateTempSubdirectory("gq-opening-").FullName;
        try
        {
            await RestartAndOpenAsync(folder);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RestartAndOpenAsync(string folder)
    {
        long lastId;
        await using (var first = await RunningServer.StartAsync(folder: folder))
        {
            var token = await first.TokenAsync("alice");
            using var client = await first.CreateClientAsync("alice");
            await using var witness = await SseClient.ConnectAsync(first.Address, token, "?last_event_id=0");
            var task = await client.GenerateAsync(TaskApi.Body());
            var events = await witness.ReadUntilAsync(e => e.Data.Id() == task.Id() && e.Data.IsTerminal());
            lastId = events[^1].Id;
        }

        // The first request after the start: the hub may still be reading the log's last sequence.
        await using var second = await RunningServer.StartAsync(folder: folder);
        using var http = new HttpClient { BaseAddress = second.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/video/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await second.TokenAsync("alice"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("retry: 2000", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal($"id: {lastId}", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));

        // Nothing old follows: the next thing on the wire is the change made now.
        using var client2 = await second.CreateClientAsync("alice");
        var fresh = await client2.GenerateAsync(TaskApi.Body("after the restart"));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(timeout.Token);
        }
        while (line is not null && line.StartsWith(':'));
        Assert.NotNull(line);
        Assert.StartsWith("id: ", line, StringComparison.Ordinal);
        Assert.True(long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture) > lastId, line);
        Assert.Equal("event: task", await reader.ReadLineAsync(timeout.Token));
        Assert.Contains(fresh.Id(), await reader.ReadLineAsync(timeout.Token), StringComparison.Ordinal);
    }
}
