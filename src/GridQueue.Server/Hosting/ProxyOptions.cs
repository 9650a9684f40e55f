using System.Net;

namespace GridQueue.Server.Hosting;

/// <summary>
/// The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto the server believes (configuration section
/// "ForwardedHeaders"). Unset, it believes none: the client is the address that opened the connection.
/// </summary>
public sealed class ProxyOptions
{
    public const string SectionName = "ForwardedHeaders";
    public const string ProxiesSetting = "ForwardedHeaders__KnownProxies";
    public const string NetworksSetting = "ForwardedHeaders__KnownNetworks";

    /// <summary>
    /// ASP.NET Core's own switch (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>), read from configuration under this key.
    /// It believes the headers from every address, which lets any client choose the address it is limited by.
    /// </summary>
    public const string FrameworkSwitch = "FORWARDEDHEADERS_ENABLED";

    /// <summary>Comma-separated addresses of the proxies in front of the server (e.g. <c>127.0.0.1,::1</c> for one on the same machine).</summary>
    public string? KnownProxies { get; set; }

    /// <summary>Comma-separated networks in CIDR notation whose every address is a proxy (e.g. <c>172.18.0.0/16</c>, a container network).</summary>
    public string? KnownNetworks { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(KnownProxies) || !string.IsNullOrWhiteSpace(KnownNetworks);

    /// <summary>The listed proxies and networks and, for each entry that is neither, a message naming it and the setting.</summary>
    public (IReadOnlyList<IPAddress> Proxies, IReadOnlyList<IPNetwork> Networks, IReadOnlyList<string> Errors) Parse()
    {
        var proxies = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        var errors = new List<string>();
        foreach (var entry in Entries(KnownProxies))
        {
            if (IPAddress.TryParse(entry, out var address) && !entry.Contains('/', StringComparison.Ordinal))
            {
                proxies.Add(address);
            }
            else
            {
                errors.Add($"{ProxiesSetting} has '{entry}', which is not an IP address (e.g. 10.0.0.5 or ::1; a network goes in {NetworksSetting}).");
            }
        }

        foreach (var entry in Entries(KnownNetworks))
        {
            if (!entry.Contains('/', StringComparison.Ordinal) || !IPNetwork.TryParse(entry, out var network))
            {
                errors.Add($"{NetworksSetting} has '{entry}', which is not a network in CIDR notation (e.g. 10.0.0.0/8 or fd00::/8).");
            }
            else if (!network.BaseAddress.Equals(IPAddress.Parse(entry[..entry.IndexOf('/', StringComparison.Ordinal)])))
            {
                // 10.0.0.5/8 would trust all of 10.0.0.0/8 where one proxy (10.0.0.5/32) was likely meant.
                errors.Add($"{NetworksSetting} has '{entry}', whose address has bits set past the prefix: write the network's "
                    + $"first address ('{network}'), or the proxy's address in {ProxiesSetting}.");
            }
            else
            {
                networks.Add(network);
            }
        }

        return (proxies, networks, errors);
    }

    private static string[] Entries(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
