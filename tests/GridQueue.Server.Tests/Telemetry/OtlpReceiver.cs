using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GridQueue.Server.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP endpoint on loopback that keeps what it is sent (protobuf bodies, by path). Protobuf writes strings
/// as their UTF-8 bytes, so a test can look for a name or an id in a body without decoding it.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            receiver!._received.Enqueue((http.Request.Path.Value!, body.ToArray()));
            http.Response.ContentType = "application/x-protobuf";
            return Results.Bytes([], "application/x-protobuf"); // an empty Export*ServiceResponse: all accepted
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new OtlpReceiver(app, new Uri(address));
        return receiver;
    }

    /// <summary>Whether a body sent to <paramref name="path"/> holds every one of <paramref name="texts"/>.</summary>
    public bool Received(string path, params string[] texts) =>
        _received.Any(r => r.Path == path && texts.All(t => Contains(r.Body, Encoding.UTF8.GetBytes(t))));

    public string Summary() => string.Join(", ", _received.GroupBy(r => r.Path).Select(g => $"{g.Key}: {g.Count()}"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool Contains(byte[] body, byte[] text) => body.AsSpan().IndexOf(text) >= 0;
}
