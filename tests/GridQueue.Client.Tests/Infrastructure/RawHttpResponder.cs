using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GridQueue.Client.Tests.Infrastructure;

/// <summary>
/// A tiny loopback HTTP/1.1 "server" that answers every request with one fixed response, such as the HTML page a
/// misconfigured proxy or the wrong address would send. Real sockets, real HTTP: nothing in the client is faked.
/// </summary>
public sealed class RawHttpResponder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _response;
    private readonly Task _loop;

    public RawHttpResponder(int status, string reason, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        _response = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n")
            .Concat(bytes).ToArray();
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(LoopAsync);
    }

    public Uri Address { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped on purpose.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var socket = await _listener.AcceptSocketAsync(_stop.Token);
            await using var stream = new NetworkStream(socket);
            var received = new List<byte>();
            var buffer = new byte[4096];
            while (!EndsHeaders(received))
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            await stream.WriteAsync(_response, _stop.Token);
            socket.Shutdown(SocketShutdown.Both);
        }
    }

    private static bool EndsHeaders(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';
}
