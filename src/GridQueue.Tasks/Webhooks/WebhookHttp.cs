using System.Net;
using System.Net.Sockets;

namespace GridQueue.Tasks.Webhooks;

/// <summary>
/// The HTTP handler deliveries go through: no redirects (a 3xx is an answer like any other, so a receiver cannot
/// bounce a delivery to an address it could not name itself), no proxy, and a connect step that resolves the host
/// itself and connects only to addresses <see cref="WebhookDestinations.MayConnect"/> allows. The check is on the
/// address actually connected to, so DNS answering differently between a check and the connect changes nothing.
/// </summary>
public static class WebhookHttp
{
    public const string ClientName = "GridQueue.Webhooks";

    public static SocketsHttpHandler CreateHandler(WebhookDestinations destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(destinations, context.DnsEndPoint, cancellationToken),
        };
    }

    private static async ValueTask<Stream> ConnectAsync(WebhookDestinations destinations, DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var host = endpoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var permitted = addresses.Where(a => destinations.MayConnect(host, a)).ToArray();
        if (permitted.Length == 0)
        {
            throw new WebhookDestinationRefusedException(
                $"{host} resolves only to loopback, link-local or private addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}), " +
                "which Webhooks__AllowedHosts does not name; not delivered.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A delivery's destination is not one webhooks may reach; delivering again would not change that.</summary>
public sealed class WebhookDestinationRefusedException(string message) : Exception(message);
