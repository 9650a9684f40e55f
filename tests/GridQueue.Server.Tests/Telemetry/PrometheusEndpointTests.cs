using System.Globalization;
using System.Net;
using GridQueue.Server.Testing;
using GridQueue.Simulator;

namespace GridQueue.Server.Tests.Telemetry;

/// <summary>The server program as an operator runs it: /metrics with Telemetry__Prometheus=true, 404 without.</summary>
public sealed class PrometheusEndpointTests : IAsyncLifetime
{
    private readonly ServerProcessGroup _servers = new("gq-prometheus-");
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() =>
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_WithPrometheusSetting_ServesGridQueueMetricsInPrometheusTextFormat()
    {
        var server = await _servers.StartAsync(Environment(("Telemetry__Prometheus", "true")), "prometheus");
        using var client = await server.CreateClientAsync("scraped");
        var id = (await client.GenerateAsync(TaskApi.Body("scraped kite"))).Id();
        Assert.Equal("succeeded", (await client.WaitAsync(id, t => t.IsTerminal())).Status());

        using var scraper = server.CreateClient(); // no token: see README, "Telemetry"
        using var response = await scraper.GetAsync("metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE gridqueue_tasks_status_changes_total counter", body, StringComparison.Ordinal);
        Assert.Equal(1, Value(body, "gridqueue_tasks_status_changes_total", "gridqueue_task_status=\"succeeded\"", "gridqueue_provider=\"t8star\""));
        Assert.Equal(1, Value(body, "gridqueue_tasks_queued_time_seconds_count", "gridqueue_provider=\"t8star\""));
        Assert.Equal(1, Value(body, "gridqueue_tasks_queued_time_seconds_bucket", "gridqueue_provider=\"t8star\"", "le=\"3600\""));
        Assert.True(Value(body, "gridqueue_jobs_claimed_total", "gridqueue_queue=\"default\"") >= 2, body);
        Assert.Equal(0, Value(body, "gridqueue_tasks_unfinished", "gridqueue_task_status=\"running\"", "gridqueue_provider=\"t8star\""));
        Assert.Contains("http_server_request_duration_seconds_bucket{", body, StringComparison.Ordinal);
        Assert.Contains("gridqueue_jobs_wait_milliseconds_bucket{", body, StringComparison.Ordinal);

        // The console shows the handler's scope (appsettings.json turns scopes on).
        Assert.True(server.Output.Any(line => line.Contains($"task_id:{id} job_id:", StringComparison.Ordinal) && line.Contains("t8star submit accepted", StringComparison.Ordinal)), server.Tail(40));
    }

    [Fact]
    public async Task Metrics_WithoutPrometheusSetting_Is404()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.CreateClient();

        using var response = await client.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = Path.Combine(_servers.Folder, "data"),
            ["Auth__Mode"] = "dev",
            ["Auth__AllowDevMode"] = "true",
            ["Providers__Default"] = "t8star",
            ["Providers__T8Star__BaseUrl"] = _simulator.BaseAddress.ToString(),
            ["Providers__T8Star__ApiKey"] = "sim-key",
            ["Tasks__PollInterval"] = "00:00:00.200",
            ["GridQueue__Engine__PollInterval"] = "00:00:00.200",
            ["Api__GeneratePerMinute"] = "0",
            ["Api__ActionsPerMinute"] = "0",
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Value(string body, string name, params string[] labels)
    {
        var line = Assert.Single(
            body.Split('\n'),
            l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)));
        return double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
