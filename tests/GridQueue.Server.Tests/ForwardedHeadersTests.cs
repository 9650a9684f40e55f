using System.Net;
using GridQueue.Server.Testing;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Tests;

/// <summary>
/// Behind a reverse proxy: whom the server takes a request to come from, seen through the one thing that depends on
/// it, the rate limit of unauthenticated requests (GET /api/v1/info, one per client address per minute here). The
/// test's connections come from 127.0.0.1, standing in for a proxy on the same machine.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string InfoPath = "api/v1/info";
    private const string Client = "203.0.113.7";
    private const string OtherClient = "198.51.100.4";

    [Fact]
    public async Task ProxyOnLoopbackConfigured_ForwardedClientsAreLimitedEachByTheirOwnAddress()
    {
        await using var server = await StartProcessAsync(new() { ["ForwardedHeaders__KnownProxies"] = "127.0.0.1, ::1" });
        using var http = server.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await InfoAsync(http, Client));
        Assert.Equal(HttpStatusCode.TooManyRequests, await InfoAsync(http, Client));

        // A client cannot get past its limit by writing an address of its own in front: the proxy appends the address
        // it saw, and only that hop is believed (the one before it came from a client, not from a listed proxy).
        Assert.Equal(HttpStatusCode.TooManyRequests, await InfoAsync(http, $"{OtherClient}, {Client}"));

        Assert.Equal(HttpStatusCode.OK, await InfoAsync(http, OtherClient));
        Assert.Equal(HttpStatusCode.OK, await InfoAsync(http, forwardedFor: null)); // the proxy's own request
    }

    [Fact]
    public async Task NoProxyConfigured_ForwardedHeadersAreIgnored()
    {
        await using var server = await StartProcessAsync([]);
        using var http = server.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await InfoAsync(http, Client));

        // Another X-Forwarded-For changes nothing: both requests came from 127.0.0.1, which has had its one.
        Assert.Equal(HttpStatusCode.TooManyRequests, await InfoAsync(http, OtherClient));
    }

    [Fact]
    public async Task ConnectionFromAnAddressNotListed_ForwardedHeadersAreIgnored()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Api:ActionsPerMinute"] = "1",
            ["ForwardedHeaders:KnownProxies"] = "10.0.0.5",
            ["ForwardedHeaders:KnownNetworks"] = "172.16.0.0/12, fd00::/8",
        });
        using var http = server.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await InfoAsync(http, Client));
        Assert.Equal(HttpStatusCode.TooManyRequests, await InfoAsync(http, OtherClient));
    }

    [Theory]
    [InlineData("KnownProxies", "127.0.0.1", "10.0.0.0/8")]
    [InlineData("KnownProxies", "127.0.0.1", "proxy.internal")]
    [InlineData("KnownNetworks", "127.0.0.0/8", "10.0.0.5")]
    [InlineData("KnownNetworks", "127.0.0.0/8", "10.0.0.5/8")]
    public async Task Start_EntryThatIsNotAnAddressOrNetwork_StopsNamingTheSettingAndTheEntry(string name, string valid, string entry)
    {
        var error = await StartRefusedAsync(new() { [$"ForwardedHeaders:{name}"] = $"{valid},{entry}" });

        Assert.Contains($"ForwardedHeaders__{name}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{entry}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"'{valid}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_FrameworkSwitchThatTrustsEveryAddress_StopsNamingTheSettingToUseInstead()
    {
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED=true reaches configuration as this key.
        var error = await StartRefusedAsync(new() { ["FORWARDEDHEADERS_ENABLED"] = "true" });

        Assert.Contains("ASPNETCORE_FORWARDEDHEADERS_ENABLED", error.Message, StringComparison.Ordinal);
        Assert.Contains("ForwardedHeaders__KnownProxies", error.Message, StringComparison.Ordinal);
    }

    private static async Task<OptionsValidationException> StartRefusedAsync(Dictionary<string, string?> settings)
    {
        var folder = Directory.CreateTempSubdirectory("gq-proxy-refused-").FullName;
        try
        {
            return await Assert.ThrowsAsync<OptionsValidationException>(() => RunningServer.StartAsync(settings, folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The real server program, configured through environment variables as an operator would.</summary>
    private static async Task<OwnedServerProcess> StartProcessAsync(Dictionary<string, string> settings)
    {
        var folder = Directory.CreateTempSubdirectory("gq-proxy-").FullName;
        var environment = new Dictionary<string, string>(settings, StringComparer.Ordinal)
        {
            ["Auth__Mode"] = "dev",
            ["Auth__AllowDevMode"] = "true",
            ["Storage__ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}",
            ["Api__ActionsPerMinute"] = "1",
        };
        try
        {
            return new OwnedServerProcess(await ServerProcess.StartAsync(environment, "server", folder), folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static async Task<HttpStatusCode> InfoAsync(HttpClient http, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, InfoPath);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            request.Headers.Add("X-Forwarded-Proto", "https");
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private sealed class OwnedServerProcess(ServerProcess process, string folder) : IAsyncDisposable
    {
        public HttpClient CreateClient() => new() { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(30) };

        public async ValueTask DisposeAsync()
        {
            await process.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
