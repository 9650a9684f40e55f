using System.Net;
using System.Net.Sockets;

namespace GridQueue.Client.Tests.Infrastructure;

/// <summary>
/// A loopback port where nobody listens and nobody can start to while the test runs: the port is bound but not
/// listening, so every connection is refused. (Finding a free port and releasing it races with the other tests'
/// servers, which take free ports too.)
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}/");
    }

    public Uri Address { get; }

    public void Dispose() => _socket.Dispose();
}
