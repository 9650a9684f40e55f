using System.Net;

namespace GridQueue.Tasks.Webhooks;

/// <summary>
/// The address ranges a webhook may not reach unless allow-listed: everything that is not the public internet
/// (loopback, private, link-local, shared carrier-grade NAT, multicast, unspecified and reserved), so a callback_url
/// cannot make the server call its own admin ports, a cloud metadata service or a machine on its private network.
/// </summary>
public static class BlockedAddresses
{
    private static readonly IPNetwork[] Ranges =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("64:ff9b::/96"), // NAT64: reaches any IPv4 address, private ones included
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("fec0::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    /// <summary>True when <paramref name="address"/> (an IPv4-mapped IPv6 address as its IPv4 one) is in a blocked range.</summary>
    public static bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return Array.Exists(Ranges, r => r.Contains(plain));
    }

    /// <summary>Host names that always mean this machine, without asking DNS.</summary>
    public static bool IsLocalName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
}
