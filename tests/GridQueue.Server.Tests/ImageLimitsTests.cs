using System.Net;
using System.Text;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Tasks.Service;
using Microsoft.Data.Sqlite;

namespace GridQueue.Server.Tests;

/// <summary>
/// Image caps (per image, per request) over HTTP, and images kept once per task: the event log stores them in no
/// event row, yet every event a client receives carries them, byte for byte as the status route sends the task.
/// </summary>
public sealed class ImageLimitsTests : IAsyncLifetime
{
    private const string DataPrefix = "data:image/png;base64,";
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(new Dictionary<string, string?>
    {
        ["Providers:Simulator:Duration"] = "00:00:00.500",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Generate_ImageOverThePerImageCap_Returns400NamingItAndStoresNothing()
    {
        using var client = await _server.CreateClientAsync("big-image");

        var response = await client.SendRawAsync(GenerateRequest(DataImage(TaskLimits.MaxImageChars + 1)));

        ErrorEnvelope.AssertError(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR", "images[0]");
        await AssertNoTasksAsync(client);
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Generate_ImagesOverTheRequestCap_Returns400NamingImagesAndStoresNothing()
    {
        using var client = await _server.CreateClientAsync("many-big-images");
        var third = TaskLimits.MaxImagesTotalChars / 3 + 1;

        var response = await client.SendRawAsync(GenerateRequest(DataImage(third), DataImage(third), DataImage(third)));

        var error = ErrorEnvelope.AssertError(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR", "images");
        Assert.Single(error.GetProperty("details").EnumerateObject());
        await AssertNoTasksAsync(client);
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Generate_TwoImagesExactlyAtTheCaps_AreAccepted()
    {
        using var client = await _server.CreateClientAsync("images-at-cap");

        var response = await client.SendRawAsync(GenerateRequest(DataImage(TaskLimits.MaxImageChars), DataImage(TaskLimits.MaxImageChars)));

        Assert.True(response.Status == HttpStatusCode.OK, $"Images at the caps got {(int)response.Status}: {response.Text[..Math.Min(500, response.Text.Length)]}");
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Events_TaskWithDataImage_ReplayedDataEqualsTheStatusRoute_AndNoEventRowHoldsTheImage()
    {
        var token = await _server.TokenAsync("image-events");
        using var client = await _server.CreateClientAsync("image-events");

        // '+', '/' and '=' are escaped or kept exactly as the task JSON writes them: the bytes must match.
        var image = DataPrefix + string.Concat(Enumerable.Repeat("iVBO+w/0KGgo=", 5000));
        var created = await client.GenerateAsync(new { prompt = "a kite", model = "sora-2", images = new[] { image, "https://img.example/a.png" } });
        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");
        var (_, statusEnvelope) = await client.GetEnvelopeAsync($"api/v1/video/status/{created.Id()}");

        await using var replay = await SseClient.ConnectAsync(_server.Address, token, $"?task_id={created.Id()}", lastEventId: 0);
        var events = await replay.ReadUntilAsync(e => e.Data.Status() == "succeeded");

        Assert.Equal(statusEnvelope.GetProperty("data").GetRawText(), events[^1].Data.GetRawText());
        Assert.Equal(created.GetRawText(), events[0].Data.GetRawText());
        Assert.All(events, e => Assert.Equal(image, e.Data.GetProperty("images")[0].GetString()));
        Assert.Equal("succeeded", done.Status());

        var payloads = await StoredPayloadsAsync(created.Id());
        Assert.Equal(events.Count, payloads.Count);
        Assert.All(payloads, p => Assert.Contains("\"images\":[]", p, StringComparison.Ordinal));
        Assert.All(payloads, p => Assert.DoesNotContain("iVBO", p, StringComparison.Ordinal));
        _server.AssertNoErrorsLogged();
    }

    private static string DataImage(int length) => DataPrefix + new string('A', length - DataPrefix.Length);

    private static HttpRequestMessage GenerateRequest(params string[] images) => new(HttpMethod.Post, "api/v1/video/generate")
    {
        Content = new StringContent(JsonSerializer.Serialize(new { prompt = "a kite", model = "sora-2", images }), Encoding.UTF8, "application/json"),
    };

    private static async Task AssertNoTasksAsync(HttpClient client)
    {
        var (status, envelope) = await client.GetEnvelopeAsync("api/v1/video/tasks");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(envelope.GetProperty("data").GetProperty("items").EnumerateArray());
    }

    private async Task<List<string>> StoredPayloadsAsync(string taskId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_server.Folder, "gridqueue.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM gq_task_events WHERE task_id = @id ORDER BY seq;";
        command.Parameters.AddWithValue("@id", taskId);
        var payloads = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            payloads.Add(reader.GetString(0));
        }

        return payloads;
    }
}
