using GridQueue.Server.Testing;
using GridQueue.Simulator;

namespace GridQueue.Server.Tests;

/// <summary>The real t8star provider against GridQueue.Simulator over HTTP, end to end through the server.</summary>
public sealed class T8StarFlowTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(2), ExtraApiKeys = ["users-own-key"] });
        _server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:T8Star:BaseUrl"] = _simulator.BaseAddress.ToString(),
            ["Providers:T8Star:ApiKey"] = "sim-key",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Generate_WithT8StarAgainstSimulator_SucceedsWithTheUpstreamVideoUrl()
    {
        using var client = await _server.CreateClientAsync("alice");
        await using var stream = await SseClient.ConnectAsync(_server.Address, await _server.TokenAsync("alice"));
        var created = await client.GenerateAsync(TaskApi.Body("t8star kite", provider: "t8star"));

        var events = await stream.ReadUntilAsync(e => e.Data.Id() == created.Id() && e.Data.IsTerminal());
        Assert.Equal(["queued", "running", "succeeded"], events.Select(e => e.Data.Status()).Distinct());
        Assert.Contains(events, e => e.Data.GetProperty("progress").GetInt32() is > 0 and < 100);

        var done = events[^1].Data;
        var upstreamId = done.GetProperty("upstream_task_id").GetString()!;
        Assert.True(_simulator.State.TryGetTask(upstreamId, out _), "the simulator knows the upstream id");
        Assert.Equal(new Uri(_simulator.BaseAddress, $"videos/{upstreamId}.mp4").ToString(), done.GetProperty("video_url").GetString());
        Assert.Equal(1, _simulator.State.SubmissionsByPrompt()["t8star kite"]);
    }

    [Fact]
    public async Task Generate_WithUserApiKey_UsesItUpstreamAndNeverReturnsIt()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:T8Star:BaseUrl"] = _simulator.BaseAddress.ToString(),
            ["Providers:T8Star:ApiKey"] = "a-wrong-server-key",
            ["Providers:Default"] = "t8star",
        });
        using var client = await server.CreateClientAsync("alice");
        var withOwnKey = await client.GenerateAsync(TaskApi.Body("own key"), new Dictionary<string, string> { ["X-User-Gemini-Key"] = "users-own-key" });
        var withServerKey = await client.GenerateAsync(TaskApi.Body("server key"));

        var ok = await client.WaitAsync(withOwnKey.Id(), t => t.IsTerminal());
        var refused = await client.WaitAsync(withServerKey.Id(), t => t.IsTerminal());
        Assert.Equal("succeeded", ok.Status());
        Assert.Equal("failed", refused.Status());
        Assert.Contains("401", refused.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("users-own-key", ok.ToString(), StringComparison.Ordinal);

        Assert.DoesNotContain(server.ErrorLog.All, line => line.Contains("users-own-key", StringComparison.Ordinal));
        Assert.NotEmpty(server.ErrorLog.All); // the check above looked at real log output

        // The stored key is encrypted while the task runs and erased once it ends.
        var database = Path.Combine(server.Folder, "gridqueue.db");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM gq_tasks WHERE api_key IS NOT NULL";
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        foreach (var file in new[] { database, database + "-wal" }.Where(File.Exists))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf("users-own-key"u8) < 0, $"{Path.GetFileName(file)} holds the key in plain text");
        }
    }
}
