using GridQueue.Server.Testing;
using GridQueue.Simulator;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.MultiNode;

/// <summary>The server on PostgreSQL: its settings, its refusals, and the key ring every node shares.</summary>
public sealed class PostgresServerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string UsersKey = "users-own-key";
    private SimulatorHost _simulator = null!;
    private PostgresNodes _nodes = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(1), ExtraApiKeys = [UsersKey] });
        _nodes = await PostgresNodes.CreateAsync(_simulator.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Start_PostgresWithoutConnectionString_StopsWithAMessageNamingTheSetting()
    {
        var environment = _nodes.Environment();
        environment.Remove("Storage__ConnectionString");

        var (exitCode, printed) = await _nodes.RunCommandAsync(environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Storage__ConnectionString", printed, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__GridQueue", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_OnPostgres_RefusesAndPointsToPgDump()
    {
        var (exitCode, printed) = await _nodes.RunCommandAsync(_nodes.Environment(), "backup", "backup-folder");

        Assert.Equal(2, exitCode);
        Assert.Contains("pg_dump", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserKeyEncryptedByOneNode_IsDecryptedByAnotherThatRunsTheTask()
    {
        var passed = false;
        try
        {
            // The server's own upstream key is wrong, so only the user's key, decrypted on the working node, succeeds.
            // The API node works no queue the tasks use: every submit runs on the worker node.
            var wrongServerKey = new Dictionary<string, string>(StringComparer.Ordinal) { ["Providers__T8Star__ApiKey"] = "a-wrong-server-key" };
            var apiOnly = new Dictionary<string, string>(wrongServerKey, StringComparer.Ordinal) { ["GridQueue__Engine__Queues__elsewhere__MaxRunning"] = "1" };
            var apiNode = await _nodes.StartAsync("api-node", apiOnly);
            var workerNode = await _nodes.StartAsync("worker-node", wrongServerKey);
            using var client = await apiNode.CreateClientAsync("alice");

            var ownKey = await client.GenerateAsync(TaskApi.Body("own key on another node"), new Dictionary<string, string> { ["X-User-Api-Key"] = UsersKey });
            var serverKey = await client.GenerateAsync(TaskApi.Body("server key on another node"));

            Assert.Equal("succeeded", (await client.WaitAsync(ownKey.Id(), t => t.IsTerminal())).Status());
            var refused = await client.WaitAsync(serverKey.Id(), t => t.IsTerminal());
            Assert.Equal("failed", refused.Status());
            Assert.Contains("401", refused.GetProperty("error_message").GetString(), StringComparison.Ordinal);

            var keys = await _nodes.QueryAsync("SELECT xml FROM gq_dataprotection_keys", r => r.GetString(0));
            Assert.NotEmpty(keys);
            Assert.False(workerNode.HasExited);
            passed = true;
        }
        finally
        {
            if (!passed)
            {
                output.WriteLine(_nodes.Tails());
            }
        }
    }

    [Fact]
    public async Task Metrics_OnPostgres_TheQueueAndTaskGaugesReadTheDatabase()
    {
        var node = await _nodes.StartAsync("scraped-node", new Dictionary<string, string>(StringComparer.Ordinal) { ["Telemetry__Prometheus"] = "true" });
        using var client = await node.CreateClientAsync("alice");
        var id = (await client.GenerateAsync(TaskApi.Body("scraped on postgres"))).Id();
        Assert.Equal("succeeded", (await client.WaitAsync(id, t => t.IsTerminal())).Status());

        using var scraper = node.CreateClient();
        var body = await scraper.GetStringAsync("metrics");

        Assert.Contains("gridqueue_queue_waiting{", body, StringComparison.Ordinal);
        Assert.Contains("gridqueue_tasks_unfinished{", body, StringComparison.Ordinal);
        Assert.DoesNotContain(node.Output, line => line.Contains("gauges could not read", StringComparison.Ordinal));
    }
}
