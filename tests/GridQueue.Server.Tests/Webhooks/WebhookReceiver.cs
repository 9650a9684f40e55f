using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GridQueue.Server.Tests.Webhooks;

/// <summary>One request the receiver got: its path, the three signature headers, the raw body and when it came.</summary>
public sealed record ReceivedWebhook(string Path, string? Id, string? Timestamp, string? Signature, string Body, TimeSpan At);

/// <summary>
/// A webhook receiver on loopback (real Kestrel): records every request, in order, and answers it as the test's
/// <c>answer</c> says (given the request and how many came before it).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly Channel<ReceivedWebhook> _arrivals = Channel.CreateUnbounded<ReceivedWebhook>();
    private int _count;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The receiver's base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public string Url(string path) => new Uri(Address, path).ToString();

    public static async Task<WebhookReceiver> StartAsync(Func<HttpContext, int, Task<IResult>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            var headers = http.Request.Headers;
            var received = new ReceivedWebhook(
                http.Request.Path, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], body, receiver._clock.Elapsed);
            receiver._received.Enqueue(received);
            receiver._arrivals.Writer.TryWrite(received);
            var result = await answer(http, Interlocked.Increment(ref receiver._count) - 1);
            await result.ExecuteAsync(http);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Address = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>Answers every request with 200.</summary>
    public static Task<WebhookReceiver> StartOkAsync() => StartAsync((_, _) => Task.FromResult(Results.Ok()));

    /// <summary>Waits for the next <paramref name="count"/> requests, in arrival order.</summary>
    public async Task<List<ReceivedWebhook>> NextAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var list = new List<ReceivedWebhook>();
        try
        {
            while (list.Count < count)
            {
                list.Add(await _arrivals.Reader.ReadAsync(cts.Token));
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The receiver got {list.Count} of the {count} deliveries expected in time.");
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
