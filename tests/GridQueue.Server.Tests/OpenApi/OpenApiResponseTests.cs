using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests.OpenApi;

/// <summary>Two servers: tasks run long enough to cancel on one, and every task fails on the other (for retry).</summary>
public sealed class OpenApiServersFixture : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public RunningServer FailingServer { get; private set; } = null!;

    public ContractDocument Document { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = "00:00:03" });
        FailingServer = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        Document = await ContractDocument.FetchAsync(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await FailingServer.DisposeAsync();
    }
}

/// <summary>
/// Real answers of the real server, success and error alike, each checked against the schema its OpenAPI document
/// gives for that route and status (and an error's code against the codes documented for that status).
/// </summary>
public sealed class OpenApiResponseTests(OpenApiServersFixture fixture) : IClassFixture<OpenApiServersFixture>
{
    private const string Generate = "/api/v1/video/generate";
    private const string Status = "/api/v1/video/status/{task_id}";
    private const string List = "/api/v1/video/tasks";
    private const string Cancel = "/api/v1/video/cancel/{task_id}";
    private const string Retry = "/api/v1/video/retry/{task_id}";

    private readonly ContractDocument _document = fixture.Document;

    [Fact]
    public async Task TaskRoutes_SuccessAnswers_FitTheirDocumentedSchemas()
    {
        using var client = await fixture.Server.CreateClientAsync("openapi-alice");
        var generated = await SendAsync(client, HttpMethod.Post, Generate, "api/v1/video/generate", """{"prompt": "a kite", "model": "sora-2", "images": ["https://example.com/a.png"]}""");
        var id = TaskApi.Id(System.Text.Json.JsonDocument.Parse(generated.Text).RootElement.GetProperty("data"));

        // Cancelled at once (the simulator takes 3 s), so the task no longer changes and its ETag holds for the 304.
        var cancelled = await SendAsync(client, HttpMethod.Post, Cancel, $"api/v1/video/cancel/{id}");
        Assert.Contains("\"cancelled\"", cancelled.Text, StringComparison.Ordinal);
        await SendAsync(client, HttpMethod.Post, Cancel, $"api/v1/video/cancel/{id}"); // idempotent: the same shape again
        var read = await SendAsync(client, HttpMethod.Get, Status, $"api/v1/video/status/{id}");
        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/status/{id}"))
        {
            conditional.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(read.Headers.ETag!.ToString()));
            var notModified = await client.SendRawAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, notModified.Status);
            _document.AssertDocuments("GET", Status, notModified);
        }

        await SendAsync(client, HttpMethod.Get, List, "api/v1/video/tasks?limit=1");
        var notFailed = await SendAsync(client, HttpMethod.Post, Retry, $"api/v1/video/retry/{id}");
        Assert.Equal(HttpStatusCode.BadRequest, notFailed.Status);
    }

    [Fact]
    public async Task FinishedTasks_SucceededAndFailedAndRetried_FitTheTaskSchema()
    {
        using var client = await fixture.Server.CreateClientAsync("openapi-bob");
        var task = await client.GenerateAsync(TaskApi.Body("to the end"));
        await client.WaitForStatusAsync(task.Id(), "succeeded");
        var succeeded = await SendAsync(client, HttpMethod.Get, Status, $"api/v1/video/status/{task.Id()}");
        Assert.Contains("\"video_url\":\"http", succeeded.Text, StringComparison.Ordinal);
        var cancelSucceeded = await SendAsync(client, HttpMethod.Post, Cancel, $"api/v1/video/cancel/{task.Id()}");
        Assert.Equal(HttpStatusCode.BadRequest, cancelSucceeded.Status);

        using var failing = await fixture.FailingServer.CreateClientAsync("openapi-carol");
        var doomed = await failing.GenerateAsync(TaskApi.Body("to fail"));
        await failing.WaitForStatusAsync(doomed.Id(), "failed");
        var failed = await SendAsync(failing, HttpMethod.Get, Status, $"api/v1/video/status/{doomed.Id()}");
        Assert.Contains("\"error_message\":\"", failed.Text, StringComparison.Ordinal);
        var retried = await SendAsync(failing, HttpMethod.Post, Retry, $"api/v1/video/retry/{doomed.Id()}");
        Assert.Equal(HttpStatusCode.OK, retried.Status);
    }

    [Fact]
    public async Task ErrorAnswers_ValidationUnauthorizedNotFound_FitTheErrorEnvelopeWithDocumentedCodes()
    {
        using var client = await fixture.Server.CreateClientAsync("openapi-dave");
        var invalid = await SendAsync(client, HttpMethod.Post, Generate, "api/v1/video/generate", """{"model": "sora-2", "duration": 999}""");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("VALIDATION_ERROR", invalid.Text, StringComparison.Ordinal);

        var badLimit = await SendAsync(client, HttpMethod.Get, List, "api/v1/video/tasks?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.Status);

        var missing = await SendAsync(client, HttpMethod.Get, Status, "api/v1/video/status/tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        var cancelMissing = await SendAsync(client, HttpMethod.Post, Cancel, "api/v1/video/cancel/tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V");
        Assert.Equal(HttpStatusCode.NotFound, cancelMissing.Status);

        using var anonymous = fixture.Server.CreateClient();
        var noToken = await SendAsync(anonymous, HttpMethod.Get, List, "api/v1/video/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.Status);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        var badToken = await SendAsync(anonymous, HttpMethod.Post, Generate, "api/v1/video/generate", """{"prompt": "a", "model": "b"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.Status);
    }

    [Fact]
    public async Task ServerRoutes_InfoDevTokenAndHealth_FitTheirDocumentedSchemas()
    {
        using var client = fixture.Server.CreateClient();
        await SendAsync(client, HttpMethod.Get, "/api/v1/info", "api/v1/info");
        var token = await SendAsync(client, HttpMethod.Post, "/api/v1/dev/token", "api/v1/dev/token", """{"user_id": "openapi-erin"}""");
        Assert.Equal(HttpStatusCode.OK, token.Status);
        var badUser = await SendAsync(client, HttpMethod.Post, "/api/v1/dev/token", "api/v1/dev/token", """{"user_id": 42}""");
        Assert.Equal(HttpStatusCode.BadRequest, badUser.Status);
        await SendAsync(client, HttpMethod.Get, "/healthz", "healthz");
        var ready = await SendAsync(client, HttpMethod.Get, "/readyz", "readyz");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
    }

    [Fact]
    public async Task EventStream_OpensWithTheDocumentedTypeAndItsEventsCarryTheTaskSchema()
    {
        var token = await fixture.Server.TokenAsync("openapi-frank");
        using var client = fixture.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await using var stream = await SseClient.ConnectAsync(fixture.Server.Address, token);
        var documented = _document.Response("GET", "/api/v1/video/events", stream.Response.StatusCode);
        Assert.True(
            documented.GetProperty("content").TryGetProperty(stream.Response.Content.Headers.ContentType!.MediaType!, out _),
            $"The stream came as {stream.Response.Content.Headers.ContentType}, which is not documented.");

        var task = await client.GenerateAsync(TaskApi.Body("streamed"));
        var first = await stream.ReadUntilAsync(e => e.Data.GetProperty("task_id").GetString() == task.Id());
        var errors = _document.Checker.Check(_document.Schema("Task"), first[^1].Data);
        Assert.True(errors.Count == 0, $"An event's data does not fit the Task schema:\n{string.Join("\n", errors)}\n{first[^1].Data}");

        var ahead = await SendAsync(client, HttpMethod.Get, "/api/v1/video/events", "api/v1/video/events?last_event_id=not-a-number");
        Assert.Equal(HttpStatusCode.BadRequest, ahead.Status);
    }

    /// <summary>Sends a request and asserts the answer is documented for <paramref name="template"/> and fits its schema.</summary>
    private async Task<RawResponse> SendAsync(HttpClient client, HttpMethod method, string template, string url, string? json = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var response = await client.SendRawAsync(request);
        _document.AssertDocuments(method.Method, template, response);
        return response;
    }
}
