using System.Net;
using GridQueue.Tasks.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Tests.Webhooks;

/// <summary>
/// The delivery handler's connect step, against a real receiver: the address a host name resolves to is checked
/// where the connection is made, so a name that resolves to loopback is refused like the address itself.
/// </summary>
public sealed class WebhookConnectTests
{
    [Fact]
    public async Task Connect_HostNameResolvingToLoopback_IsRefusedUnlessAllowListed()
    {
        await using var receiver = await WebhookReceiver.StartOkAsync();
        var url = $"http://localhost:{receiver.Address.Port}/hook";

        using var refusing = new HttpClient(WebhookHttp.CreateHandler(Destinations(allowed: null)));
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.PostAsync(url, new StringContent("{}")));
        Assert.IsType<WebhookDestinationRefusedException>(error.InnerException);
        Assert.Empty(receiver.Received);

        using var allowing = new HttpClient(WebhookHttp.CreateHandler(Destinations(allowed: "127.0.0.1, ::1")));
        using var response = await allowing.PostAsync(url, new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Send_RedirectAnswer_IsReturnedNotFollowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync((http, _) =>
            Task.FromResult(http.Request.Path == "/moved" ? Results.Ok() : Results.Redirect("/moved")));
        using var client = new HttpClient(WebhookHttp.CreateHandler(Destinations(allowed: "127.0.0.1")));

        using var response = await client.PostAsync(receiver.Url("hook"), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(["/hook"], receiver.Received.Select(r => r.Path));
    }

    private static WebhookDestinations Destinations(string? allowed) =>
        new(Options.Create(new WebhookOptions { Secret = WebhookChecks.NewSecret(), AllowedHosts = allowed }));
}
