using System.Net;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests.Webhooks;

/// <summary>callback_url at generate: destinations that are not the public internet are refused unless allow-listed.</summary>
public sealed class CallbackUrlValidationTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Webhooks:Secret"] = WebhookChecks.NewSecret() });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("https://127.0.0.1:8443/hook")]
    [InlineData("http://127.0.0.1:5080/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://192.168.0.10/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[fd00::1]/hook")]
    public async Task Generate_PrivateDestinationWithoutAllowList_IsValidationErrorNamingCallbackUrl(string url)
    {
        var message = await RefusalAsync(_server, url);
        Assert.Contains("Webhooks__AllowedHosts", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://hooks.example.com/plain")]
    [InlineData("ftp://hooks.example.com/x")]
    [InlineData("/relative")]
    [InlineData("https://user:secret@hooks.example.com/x")]
    public async Task Generate_NotAnHttpsUrl_IsValidationErrorNamingCallbackUrl(string url) => await RefusalAsync(_server, url);

    [Fact]
    public async Task Generate_PublicHttpsUrl_IsStoredOnTheTask()
    {
        using var client = await _server.CreateClientAsync("alice");
        var task = await client.GenerateAsync(new { prompt = "kite", model = "sora-2", callback_url = "https://hooks.example.com/gridqueue" });
        Assert.Equal("https://hooks.example.com/gridqueue", (await client.StatusAsync(task.Id())).GetProperty("callback_url").GetString());
    }

    [Fact]
    public async Task Generate_WithoutWebhookSecret_RefusesAnyCallbackUrl()
    {
        await using var server = await RunningServer.StartAsync();
        var message = await RefusalAsync(server, "https://hooks.example.com/gridqueue");
        Assert.Contains("Webhooks__Secret", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_AllowListedLoopback_IsAccepted()
    {
        await using var server = await RunningServer.StartAsync(WebhookChecks.Settings(WebhookChecks.NewSecret()));
        using var client = await server.CreateClientAsync("alice");
        var task = await client.GenerateAsync(new { prompt = "kite", model = "sora-2", callback_url = "http://127.0.0.1:9/hook" });
        Assert.Equal("queued", task.Status());
    }

    private static async Task<string> RefusalAsync(RunningServer server, string url)
    {
        using var client = await server.CreateClientAsync("alice");
        var body = System.Text.Json.JsonSerializer.Serialize(new { prompt = "kite", model = "sora-2", callback_url = url });
        var (status, envelope) = await client.PostEnvelopeAsync("api/v1/video/generate", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("VALIDATION_ERROR", envelope.ErrorCode());
        return envelope.GetProperty("error").GetProperty("details").GetProperty("callback_url").GetString()!;
    }
}
