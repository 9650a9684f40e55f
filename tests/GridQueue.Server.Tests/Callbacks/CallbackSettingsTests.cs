using GridQueue.Server.Testing;
using GridQueue.Simulator;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Tests.Callbacks;

/// <summary>Server__PublicUrl: checked at start-up, and without it no callback URL leaves the server.</summary>
public sealed class CallbackSettingsTests
{
    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/")]
    [InlineData("https://example.com/?q=1")]
    public async Task BadPublicUrl_StopsStartUpNamingTheSetting(string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningServer.StartAsync(new Dictionary<string, string?> { ["Server:PublicUrl"] = value }));

        Assert.Contains("Server__PublicUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoPublicUrl_NoNotifyHookIsSent()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromMilliseconds(500) });
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:T8Star:BaseUrl"] = simulator.BaseAddress.ToString(),
            ["Providers:T8Star:ApiKey"] = "sim-key",
        });
        using var client = await server.CreateClientAsync("alice");

        var done = await client.WaitAsync((await client.GenerateAsync(TaskApi.Body("no hook", provider: "t8star"))).Id(), t => t.IsTerminal());

        Assert.Equal("succeeded", done.Status());
        Assert.Null(CallbackServer.Upstream(simulator, done).NotifyHook);
    }
}
