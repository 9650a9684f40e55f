using System.Security.Cryptography;
using GridQueue.Client.Webhooks;
using GridQueue.Server.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GridQueue.Client.Tests.Webhooks;

/// <summary>The verifier on a real delivery: the server signs, a receiver on loopback verifies with the client's verifier.</summary>
public sealed class WebhookVerifierServerTests
{
    [Fact]
    public async Task Verify_DeliveryFromTheServer_PassesWithItsSecret_AndFailsWithAnother()
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var received = new TaskCompletionSource<(Dictionary<string, string?> Headers, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => (string?)h.Value.ToString());
            received.TrySetResult((headers, body.ToArray()));
        });
        await receiver.StartAsync();
        var address = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Secret"] = secret,
            ["Webhooks:AllowedHosts"] = "127.0.0.1",
        });
        using var http = await server.CreateClientAsync("alice");
        var client = new GridQueueClient(http);
        var task = await client.GenerateAsync(new GenerateRequest { Prompt = "verified", Model = "sora-2", CallbackUrl = address + "/hook" });
        await client.CancelAsync(task.TaskId);

        var (headers, bodyBytes) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        new WebhookVerifier(secret).Verify(name => headers.GetValueOrDefault(name), bodyBytes);
        var other = new WebhookVerifier("whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Assert.Throws<WebhookVerificationException>(() => other.Verify(name => headers.GetValueOrDefault(name), bodyBytes));
        await receiver.StopAsync();
    }
}
