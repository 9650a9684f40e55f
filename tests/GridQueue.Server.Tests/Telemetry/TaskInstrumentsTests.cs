using System.Diagnostics;
using GridQueue.Engine.Engine;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GridQueue.Server.Tests.Telemetry;

/// <summary>
/// Real tasks through the real server (in process, so OpenTelemetry's in-memory exporters can listen): the
/// in-process simulator, and the t8star provider against GridQueue.Simulator with a 429 phase and a refused key.
/// </summary>
public sealed class TaskInstrumentsTests : IAsyncLifetime
{
    private CollectedTelemetry _telemetry = null!;
    private SimulatorHost _simulator = null!;
    private RunningServer _server = null!;
    private readonly ScopeRecordingLoggerProvider _logs = new();

    public async Task InitializeAsync()
    {
        _telemetry = new CollectedTelemetry();
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(1) });
        _server = await RunningServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Providers:T8Star:BaseUrl"] = _simulator.BaseAddress.ToString(),
                ["Providers:T8Star:ApiKey"] = "sim-key",
            },
            services: s => s.AddSingleton<ILoggerProvider>(_logs));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _simulator.DisposeAsync();
        _telemetry.Dispose();
    }

    [Fact]
    public async Task RealTasks_ReportStatusesTimesUpstreamErrorsGaugesSpansAndScopedLogs()
    {
        var node = _server.Services.GetRequiredService<JobEngine>().NodeId;
        using var client = await _server.CreateClientAsync("metered");
        await using var stream = await SseClient.ConnectAsync(_server.Address, await _server.TokenAsync("metered"));

        // Every upstream request is refused with 429 until the refusal has been counted; then the task goes on.
        _simulator.Faults = new SimulatorFaults { RateLimitBurstEvery = TimeSpan.FromHours(1), RateLimitBurstLength = TimeSpan.FromHours(1) };
        var limited = (await client.GenerateAsync(TaskApi.Body("limited", provider: "t8star"))).Id();
        var duringLimit = await WaitForMetricsAsync(m => UpstreamErrors(m, node, "rate_limited") >= 1);
        Assert.Equal(1, Sum(duringLimit, "gridqueue.tasks.unfinished", node, v => v.Tag("gridqueue.provider") == "t8star"));
        _simulator.Faults = SimulatorFaults.None;

        var refused = (await client.GenerateAsync(TaskApi.Body("refused", provider: "t8star"), new Dictionary<string, string> { ["X-User-Api-Key"] = "not-a-known-key" })).Id();
        var succeeded = (await client.GenerateAsync(TaskApi.Body("succeeds"))).Id();
        var cancelled = (await client.GenerateAsync(TaskApi.Body("cancelled"))).Id();
        await client.PostEnvelopeAsync($"api/v1/video/cancel/{cancelled}");
        Assert.Equal("succeeded", (await client.WaitAsync(limited, t => t.IsTerminal())).Status());
        Assert.Equal("failed", (await client.WaitAsync(refused, t => t.IsTerminal())).Status());
        Assert.Equal("succeeded", (await client.WaitAsync(succeeded, t => t.IsTerminal())).Status());
        Assert.Equal("cancelled", (await client.WaitAsync(cancelled, t => t.IsTerminal())).Status());

        var metrics = _telemetry.Metrics();

        // Status changes, exactly as this server made them (the meter's node tag keeps other servers' out).
        double Entered(string status, string provider) =>
            Sum(metrics, "gridqueue.tasks.status_changes", node, v => v.Tag("gridqueue.task.status") == status && v.Tag("gridqueue.provider") == provider);
        Assert.Equal(2, Entered("queued", "t8star"));
        Assert.Equal(2, Entered("queued", "simulator"));
        Assert.Equal(2, Entered("running", "t8star"));
        Assert.InRange(Entered("running", "simulator"), 1, 2); // the cancel may come before the start
        Assert.Equal(1, Entered("succeeded", "t8star"));
        Assert.Equal(1, Entered("succeeded", "simulator"));
        Assert.Equal(1, Entered("failed", "t8star"));
        Assert.Equal(1, Entered("cancelled", "simulator"));

        // Times in seconds: the 429 phase kept the t8star task queued for a while; the values are plausible seconds.
        var queuedTime = Single(metrics, "gridqueue.tasks.queued_time", node, "t8star");
        Assert.Equal("s", queuedTime.Unit);
        Assert.Equal(1, queuedTime.Count);
        Assert.InRange(queuedTime.Min, 0.001, 300);
        Assert.InRange(Single(metrics, "gridqueue.tasks.queued_time", node, "simulator").Count, 1, 2);
        foreach (var provider in (string[])["t8star", "simulator"])
        {
            var firstProgress = Single(metrics, "gridqueue.tasks.first_progress_time", node, provider);
            Assert.True(firstProgress.Count >= 1, provider);
            Assert.InRange(firstProgress.Min, 0, 300);
        }

        Assert.Equal(1, UpstreamErrors(metrics, node, "refused"));
        Assert.True(UpstreamErrors(metrics, node, "rate_limited") >= 1);
        Assert.All(
            metrics.Where(m => m.Name == "gridqueue.upstream.errors" && Equals(m.MeterTags["gridqueue.node"], node)),
            m => Assert.Equal(("t8star", "submit"), (m.Tag("gridqueue.provider"), m.Tag("gridqueue.operation"))));

        // The server's gauges: the open stream, the queue, and no task left unfinished on either provider.
        Assert.Equal(1, Sum(metrics, "gridqueue.sse.streams", node, _ => true));
        Assert.Contains(_telemetry.Metrics("gridqueue.queue.waiting", node), v => v.Tag("gridqueue.queue") == "default");
        Assert.Contains(_telemetry.Metrics("gridqueue.queue.due", node), v => v.Tag("gridqueue.queue") == "default");
        var unfinished = _telemetry.Metrics("gridqueue.tasks.unfinished", node);
        Assert.Equal(
            ["queued/simulator", "queued/t8star", "running/simulator", "running/t8star"],
            unfinished.Select(v => $"{v.Tag("gridqueue.task.status")}/{v.Tag("gridqueue.provider")}").Order(StringComparer.Ordinal));

        // The engine's instruments. ASP.NET Core's and HttpClient's request instruments are not checked here: they carry
        // no node, and a host of another test ending in this process can take their shared streams away from this
        // collection. Server processes of their own check ASP.NET Core's (PrometheusEndpointTests, OtlpExportTests);
        // HttpClient's is registered by the same setup but is no longer checked by any test.
        Assert.True(Sum(metrics, "gridqueue.jobs.claimed", node, _ => true) >= 4);
        Assert.Contains(metrics, m => m.Name == "gridqueue.jobs.finished" && Equals(m.MeterTags.GetValueOrDefault("gridqueue.node"), node)
            && m.Tag("gridqueue.kind") == "video.submit" && m.Tag("gridqueue.outcome") == "completed");
        Assert.Contains(metrics, m => m.Name == "gridqueue.workers.active" && Equals(m.MeterTags.GetValueOrDefault("gridqueue.node"), node));

        // Spans: each handler run names its task and job; the upstream calls are children of the submit's span.
        var spans = _telemetry.Spans();
        var submit = Assert.Single(spans, s => s.DisplayName == "video.submit" && (string?)s.GetTagItem("gridqueue.task.id") == succeeded);
        Assert.True(submit.GetTagItem("gridqueue.job.id") is long jobId && jobId > 0);
        Assert.Equal("completed", submit.GetTagItem("gridqueue.outcome"));
        Assert.Contains(spans, s => s.DisplayName == "video.poll" && (string?)s.GetTagItem("gridqueue.task.id") == succeeded);
        var limitedSubmits = spans.Where(s => s.DisplayName == "video.submit" && (string?)s.GetTagItem("gridqueue.task.id") == limited).ToList();
        Assert.True(limitedSubmits.Count >= 2, "the 429 made the submit run again");
        Assert.Contains(limitedSubmits, s => s.Status == ActivityStatusCode.Error && s.GetTagItem("gridqueue.outcome") is "failed");
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && limitedSubmits.Any(p => p.SpanId == s.ParentSpanId));

        // Logs written during a handler run carry the task and the job, whoever writes them (here the provider).
        var accepted = Assert.Single(_logs.Entries, e => e.Message.StartsWith("t8star submit accepted", StringComparison.Ordinal)
            && Equals(e.Scope.GetValueOrDefault("task_id"), limited));
        Assert.Equal(limitedSubmits[0].GetTagItem("gridqueue.job.id"), accepted.Scope["job_id"]);
        Assert.Empty(_server.ErrorLog.Errors);
    }

    private static double Sum(IEnumerable<MetricValue> metrics, string name, string node, Func<MetricValue, bool> where) =>
        metrics.Where(m => m.Name == name && Equals(m.MeterTags.GetValueOrDefault("gridqueue.node"), node) && where(m)).Sum(m => m.Value);

    private static double UpstreamErrors(IEnumerable<MetricValue> metrics, string node, string kind) =>
        Sum(metrics, "gridqueue.upstream.errors", node, m => m.Tag("gridqueue.error.kind") == kind);

    private static MetricValue Single(IEnumerable<MetricValue> metrics, string name, string node, string provider) =>
        Assert.Single(metrics, m => m.Name == name && Equals(m.MeterTags.GetValueOrDefault("gridqueue.node"), node) && m.Tag("gridqueue.provider") == provider);

    /// <summary>Collects until <paramref name="until"/> holds (or 30 s pass): the values it held for.</summary>
    private async Task<IReadOnlyList<MetricValue>> WaitForMetricsAsync(Func<IReadOnlyList<MetricValue>, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var metrics = _telemetry.Metrics();
            if (until(metrics))
            {
                return metrics;
            }

            Assert.True(DateTime.UtcNow < deadline, "the awaited measurement did not come within 30 s");
            await Task.Delay(100);
        }
    }
}
