using System.Net;
using System.Text;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Tasks.Jobs;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Server.Tests;

/// <summary>
/// The admin routes on the real server: refused to non-admins (every route, read from the server's own endpoint
/// table), open to admins by claim or by configured user id, strict about their input, and redrive's rules.
/// </summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private const string AdminPrefix = "/api/v1/admin";

    private RunningServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Admin:UserIds"] = "ops-by-id, other-ops" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task EveryAdminRoute_NonAdmin_Gets403Forbidden_NoToken_Gets401()
    {
        var routes = AdminRoutes(_server);
        Assert.True(routes.Count >= 9, $"Only {routes.Count} admin routes found: {string.Join(", ", routes)}");
        using var user = await _server.CreateClientAsync("plain-user");
        using var anonymous = _server.CreateClient();

        foreach (var (method, path) in routes)
        {
            var url = path.TrimStart('/').Replace("{job_id}", "1", StringComparison.Ordinal);
            var forbidden = await SendAsync(user, method, url);
            ErrorEnvelope.AssertError(forbidden, HttpStatusCode.Forbidden, "FORBIDDEN");
            var unauthorized = await SendAsync(anonymous, method, url);
            ErrorEnvelope.AssertError(unauthorized, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    [Fact]
    public async Task EveryAdminRoute_Admin_IsNotRefused()
    {
        using var admin = await _server.CreateAdminClientAsync("ops");
        foreach (var (method, path) in AdminRoutes(_server))
        {
            var url = path.TrimStart('/').Replace("{job_id}", "999999", StringComparison.Ordinal);
            var response = await SendAsync(admin, method, url);
            Assert.True(
                response.Status is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.BadRequest,
                $"{method} {path}: {response}");
            Assert.DoesNotContain("FORBIDDEN", response.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AdminByUserId_GetsTheSummary_AdminSwitchIsNotNeeded()
    {
        using var byId = await _server.CreateClientAsync("other-ops");
        var (status, envelope) = await byId.GetEnvelopeAsync("api/v1/admin/summary");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(AdminEndpointsMinutes, envelope.GetProperty("data").GetProperty("throughput").GetArrayLength());
    }

    [Fact]
    public async Task BadInput_UnknownFilter_BadIds_MissingConfirm_Are400_UnknownJobIs404()
    {
        using var admin = await _server.CreateAdminClientAsync("ops");

        ErrorEnvelope.AssertError(await SendAsync(admin, "GET", "api/v1/admin/tasks?colour=red"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", "colour");
        ErrorEnvelope.AssertError(await SendAsync(admin, "GET", "api/v1/admin/tasks?status=lost&limit=0"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", "status", "limit");
        ErrorEnvelope.AssertError(await SendAsync(admin, "GET", "api/v1/admin/dead-letters?after_id=x"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", "after_id");
        ErrorEnvelope.AssertError(await SendAsync(admin, "GET", "api/v1/admin/summary?x=1"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", "x");
        ErrorEnvelope.AssertError(await SendAsync(admin, "POST", "api/v1/admin/dead-letters/abc/redrive"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", "job_id");
        ErrorEnvelope.AssertError(await SendAsync(admin, "POST", "api/v1/admin/dead-letters/0/purge"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", "job_id");
        ErrorEnvelope.AssertError(await SendAsync(admin, "POST", "api/v1/admin/dead-letters/987654/redrive"), HttpStatusCode.NotFound, "NOT_FOUND");
        ErrorEnvelope.AssertError(await SendAsync(admin, "POST", "api/v1/admin/dead-letters/redrive", """{"kind":"x"}"""), HttpStatusCode.BadRequest, "VALIDATION_ERROR", "confirm");
        ErrorEnvelope.AssertError(await SendAsync(admin, "POST", "api/v1/admin/dead-letters/purge", """{"confirm":true,"colour":"red"}"""), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        ErrorEnvelope.AssertError(await SendAsync(admin, "POST", "api/v1/admin/dead-letters/purge", "not json"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Redrive_SubmitJobOfAnEndedTask_IsRefused_TheTaskStaysFailed_AndTheAuditSaysSo()
    {
        var failing = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        await using var _ = failing;
        using var user = await failing.CreateClientAsync("payer");
        using var admin = await failing.CreateAdminClientAsync("ops");
        var task = await user.GenerateAsync(TaskApi.Body());
        await user.WaitForStatusAsync(task.Id(), "failed");
        var deadLetter = await failing.MakeDeadLetterAsync(TaskJobs.Submit, JsonSerializer.Serialize(new TaskJobArgs(task.Id(), 1)));

        var refused = await SendAsync(admin, "POST", $"api/v1/admin/dead-letters/{deadLetter}/redrive");

        var error = ErrorEnvelope.AssertError(refused, HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains("has ended (failed)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", (await user.StatusAsync(task.Id())).Status());
        var (_, tasks) = await admin.GetEnvelopeAsync("api/v1/admin/tasks?user_id=payer&status=failed");
        Assert.Equal(task.Id(), Assert.Single(tasks.GetProperty("data").GetProperty("items").EnumerateArray()).Id());
        var (_, usage) = await admin.GetEnvelopeAsync("api/v1/admin/usage");
        Assert.Equal(1, Assert.Single(usage.GetProperty("data").GetProperty("items").EnumerateArray()).GetProperty("failed").GetInt64());
        var (_, list) = await admin.GetEnvelopeAsync("api/v1/admin/dead-letters?kind=video.submit");
        var item = Assert.Single(list.GetProperty("data").GetProperty("items").EnumerateArray());
        Assert.Equal((deadLetter, task.Id()), (item.GetProperty("id").GetInt64(), item.GetProperty("task_id").GetString()));
        Assert.Equal("made a dead letter by the test", item.GetProperty("errors")[0].GetProperty("message").GetString());
        var (_, audit) = await admin.GetEnvelopeAsync("api/v1/admin/audit");
        var entry = audit.GetProperty("data").GetProperty("items")[0];
        Assert.Equal(("ops", "redrive", $"job {deadLetter}"), (entry.GetProperty("actor").GetString(), entry.GetProperty("action").GetString(), entry.GetProperty("target").GetString()));
        Assert.StartsWith("0 redriven; 1 refused", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redrive_ThenPurge_FilteredAndSingle_ChangeTheJobs_AndAreAudited()
    {
        using var admin = await _server.CreateAdminClientAsync("ops");
        var flaky = FlakyJobs.Register(_server);
        var first = await flaky.InsertDeadLetterAsync("first");
        var second = await flaky.InsertDeadLetterAsync("second");
        var other = await _server.MakeDeadLetterAsync("test.other", "{}");
        flaky.Failing = false;

        var redriven = await SendAsync(admin, "POST", "api/v1/admin/dead-letters/redrive", $$"""{"kind":"{{AdminApi.FlakyKind}}","confirm":true}""");
        Assert.Equal(HttpStatusCode.OK, redriven.Status);
        Assert.Equal([first, second], Data(redriven).GetProperty("done").EnumerateArray().Select(e => e.GetInt64()));
        var engine = _server.Services.GetRequiredService<GridQueue.Engine.Engine.JobEngine>();
        foreach (var id in new[] { first, second })
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while ((await engine.GetAsync(id))!.State != GridQueue.Engine.Jobs.JobState.Completed)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Redriven job {id} never completed.");
                await Task.Delay(50);
            }
        }

        var purged = await SendAsync(admin, "POST", $"api/v1/admin/dead-letters/{other}/purge");
        Assert.Equal([other], Data(purged).GetProperty("done").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Null(await engine.GetAsync(other));
        ErrorEnvelope.AssertError(await SendAsync(admin, "POST", $"api/v1/admin/dead-letters/{first}/purge"), HttpStatusCode.BadRequest, "BAD_REQUEST");

        var (_, audit) = await admin.GetEnvelopeAsync("api/v1/admin/audit?limit=3");
        var entries = audit.GetProperty("data").GetProperty("items").EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("target").GetString(), e.GetProperty("detail").GetString())).ToList();
        Assert.Equal(
            [("purge", $"job {first}", "0 purged; 1 refused: The job is completed, not a dead letter."), ("purge", $"job {other}", $"1 purged ({other})"),
             ("redrive", $"dead letters kind={AdminApi.FlakyKind} queue=any", $"2 redriven ({first}, {second})")],
            entries);
    }

    private const int AdminEndpointsMinutes = GridQueue.Server.Api.Admin.AdminEndpoints.ThroughputMinutes;

    private static JsonElement Data(RawResponse response) => JsonDocument.Parse(response.Text).RootElement.GetProperty("data");

    /// <summary>Every (method, path) under /api/v1/admin in the running server's endpoint table.</summary>
    private static List<(string Method, string Path)> AdminRoutes(RunningServer server) =>
        [.. server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.TrimStart('/'), Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(r => r.Path.StartsWith(AdminPrefix, StringComparison.Ordinal))
            .SelectMany(r => r.Methods.Select(m => (m, r.Path)))];

    private static Task<RawResponse> SendAsync(HttpClient client, string method, string url, string? json = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
        {
            request.Content = new StringContent(json ?? """{"confirm":true}""", Encoding.UTF8, "application/json");
        }

        return client.SendRawAsync(request);
    }
}
