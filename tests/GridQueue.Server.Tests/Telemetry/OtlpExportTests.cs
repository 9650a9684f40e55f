using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests.Telemetry;

/// <summary>The server program exporting over OTLP/HTTP to a receiver on loopback, configured either way.</summary>
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("Telemetry__OtlpEndpoint")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public async Task Server_WithOtlpEndpoint_ExportsHandlerSpansWithTheTaskIdAndTaskMetrics(string setting)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var servers = new ServerProcessGroup("gq-otlp-");
        var server = await servers.StartAsync(
            new Dictionary<string, string>
            {
                [setting] = receiver.Address.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",         // spans are sent in batches: soon, for the test
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
                ["Storage__DataDirectory"] = Path.Combine(servers.Folder, "data"),
                ["Auth__Mode"] = "dev",
                ["Auth__AllowDevMode"] = "true",
                ["Providers__Simulator__Duration"] = "00:00:00.500",
                ["Tasks__PollInterval"] = "00:00:00.200",
                ["Api__GeneratePerMinute"] = "0",
                ["Api__ActionsPerMinute"] = "0",
            },
            "otlp");
        using var client = await server.CreateClientAsync("exported");
        var id = (await client.GenerateAsync(TaskApi.Body("exported kite"))).Id();
        Assert.Equal("succeeded", (await client.WaitAsync(id, t => t.IsTerminal())).Status());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(receiver.Received("/v1/traces", "video.submit", "gridqueue.task.id", id)
                 && receiver.Received("/v1/traces", "video.poll", id)
                 && receiver.Received("/v1/traces", "/api/v1/video/generate")
                 && receiver.Received("/v1/metrics", "gridqueue.tasks.status_changes", "succeeded", "gridqueue.jobs.claimed", "http.server.request.duration")))
        {
            Assert.True(DateTime.UtcNow < deadline, $"not all was exported within 30 s; received {receiver.Summary()}\n{server.Tail(40)}");
            await Task.Delay(100);
        }
    }
}
