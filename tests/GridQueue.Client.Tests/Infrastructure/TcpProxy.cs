using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GridQueue.Client.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of a server, so a test can cut a client's connections the hard way (reset, as a
/// network failure would) while the server keeps running, and refuse new ones for a while.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, (Socket Client, Socket Server)> _pairs = new();
    private readonly Task _acceptLoop;
    private int _nextId;
    private long _refuseUntilTicks;

    public TcpProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _targetPort = target.Port;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The proxy's address, to give the client instead of the server's.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Resets every open connection now, and closes any new one at once during <paramref name="refuseFor"/> (so the
    /// client's reconnects fail for a while and changes happen while it is away).
    /// </summary>
    public void AbortAll(TimeSpan refuseFor = default)
    {
        Interlocked.Exchange(ref _refuseUntilTicks, (DateTime.UtcNow + refuseFor).Ticks);
        foreach (var (id, pair) in _pairs)
        {
            Reset(pair.Client);
            Reset(pair.Server);
            _pairs.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        AbortAll();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener was stopped on purpose.
        }

        _stop.Dispose();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close with RST, not FIN: a hard network failure
            socket.Close();
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Already closed by its pump, or already reset by the other side: either way it is gone.
            socket.Dispose();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            if (DateTime.UtcNow.Ticks < Interlocked.Read(ref _refuseUntilTicks))
            {
                Reset(client);
                continue;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                Reset(client); // the server is down: the client sees its connection fail, as it would directly
                server.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextId);
            _pairs[id] = (client, server);
            _ = Task.Run(() => PumpAsync(id, client, server));
        }
    }

    private async Task PumpAsync(int id, Socket client, Socket server)
    {
        await Task.WhenAll(CopyAsync(client, server), CopyAsync(server, client));
        if (_pairs.TryRemove(id, out _))
        {
            client.Dispose();
            server.Dispose();
        }
    }

    /// <summary>Copies until either side ends; a graceful end is passed on as a shutdown, a failure resets both.</summary>
    private static async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side was reset (by AbortAll or by its owner): reset the other so the failure reaches it.
            Reset(from);
            Reset(to);
        }
    }
}
