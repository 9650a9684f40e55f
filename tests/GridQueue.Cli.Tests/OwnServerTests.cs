using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

/// <summary>Tests that need a server of their own: stopped and restarted, or in jwt mode.</summary>
public sealed class OwnServerTests
{
    [Fact]
    public async Task Watch_ServerRestarts_SaysSoOnStderrAndGoesOn()
    {
        var port = ServerProcess.FreePort();
        var folder = Directory.CreateTempSubdirectory("gq-cli-test-").FullName;
        var server = await RunningServer.StartAsync(folder: folder, port: port);
        try
        {
            var token = await server.TokenAsync("restart-user");
            await using var watch = CliProcess.Start(["watch", "--server", server.Address.ToString(), "--token", token]);
            using (var api = await server.CreateClientAsync("restart-user"))
            {
                await SeeNewTaskAsync(watch, api);
            }

            await server.StopAsync();
            await watch.WaitForLineAsync(l => l.StartsWith("connection lost, reconnecting…", StringComparison.Ordinal), stderr: true);

            // A second message: a reconnect was refused while no server listened (the tool keeps trying, and says so).
            await WaitForAsync(() => CliResult.Lines(watch.Error).Count(l => l.StartsWith("connection lost, reconnecting…", StringComparison.Ordinal)) >= 2, watch);

            server = await RunningServer.StartAsync(folder: folder, port: port);
            using (var api = await server.CreateClientAsync("restart-user"))
            {
                var id = await api.GenerateAsync(TaskApi.Body("after the restart"));
                await watch.WaitForLineAsync(l => l.Contains(id.Id(), StringComparison.Ordinal) && l.Contains("succeeded", StringComparison.Ordinal));
            }

            await watch.InterruptAsync();
            var result = await watch.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(result.ExitCode == 130, result.ToString());
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Token_ServerInJwtMode_ExitsThreeSayingOnlyDevModeMakesTokens()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "jwt",
            ["Auth:JwtSecret"] = "a-test-secret-of-at-least-thirty-two-bytes-long",
        });

        var result = await CliProcess.RunAsync("token", "alice", "--server", server.Address.ToString());

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal("", result.Out);
        Assert.StartsWith("error: NOT_FOUND: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("dev mode", result.Error, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition, CliProcess process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out; the tool wrote:\n{process.Out}\n--- stderr ---\n{process.Error}");
            await Task.Delay(50);
        }
    }

    /// <summary>The stream starts at "now": makes tasks until one shows up in the tool's output.</summary>
    internal static async Task<string> SeeNewTaskAsync(CliProcess watch, HttpClient api)
    {
        for (var attempt = 0; ; attempt++)
        {
            var id = (await api.GenerateAsync(TaskApi.Body($"watched kite {attempt}"))).Id();
            try
            {
                await watch.WaitForLineAsync(l => l.Contains(id, StringComparison.Ordinal), timeout: TimeSpan.FromSeconds(3));
                return id;
            }
            catch (Xunit.Sdk.FailException) when (attempt < 9)
            {
                // The stream was not open yet when that task changed; try another.
            }
        }
    }
}
