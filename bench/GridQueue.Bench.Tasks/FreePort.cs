using System.Net;
using System.Net.Sockets;

namespace GridQueue.Bench.Tasks;

/// <summary>A loopback port nothing listens on right now, for the server child process.</summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
