using System.Net;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Webhooks;

/// <summary>
/// Which URLs a webhook may go to. Checked twice: on the URL when a task is created (<see cref="Refusal"/>), and on
/// every address a delivery actually connects to (<see cref="MayConnect"/>), so a public host name that resolves to a
/// private address is refused as well.
/// </summary>
public sealed class WebhookDestinations
{
    public const int MaxUrlLength = 2048;

    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> _networks = [];

    public WebhookDestinations(IOptions<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        (Key, _) = WebhookSecret.Parse(settings.Secret);
        var (hosts, networks, _) = ParseAllowList(settings.AllowedHosts);
        _hosts.UnionWith(hosts);
        _networks.AddRange(networks);
        DefaultUrl = string.IsNullOrWhiteSpace(settings.DefaultUrl) ? null : settings.DefaultUrl.Trim();
    }

    /// <summary>The signing key; null when no (valid) secret is configured and webhooks are off.</summary>
    public byte[]? Key { get; }

    public bool Enabled => Key is not null;

    /// <summary>The deployment's own destination for tasks that name none.</summary>
    public string? DefaultUrl { get; }

    /// <summary>
    /// Why <paramref name="url"/> may not receive webhooks, for a person (the field's validation message), or null
    /// when it may. Host names other than localhost are not resolved here: the address is checked when connecting.
    /// </summary>
    public string? Refusal(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Length > MaxUrlLength)
        {
            return $"callback_url must be at most {MaxUrlLength} characters (got {url.Length}).";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return "callback_url must be an absolute https URL without user name or password.";
        }

        var host = uri.IdnHost.Trim('[', ']');
        var literal = IPAddress.TryParse(host, out var address) ? address : null;
        var allowed = _hosts.Contains(host) || (literal is not null && IsAllowListed(literal));
        if (!allowed && (BlockedAddresses.IsLocalName(host) || (literal is not null && BlockedAddresses.Contains(literal))))
        {
            return $"callback_url points at a loopback, link-local or private address ({host}); such destinations are refused unless Webhooks__AllowedHosts names them.";
        }

        return uri.Scheme == Uri.UriSchemeHttp && !allowed
            ? "callback_url must use https (plain http only for hosts that Webhooks__AllowedHosts names)."
            : null;
    }

    /// <summary>
    /// Whether a delivery to <paramref name="host"/> may connect to <paramref name="address"/>, one of the addresses
    /// the host resolved to.
    /// </summary>
    public bool MayConnect(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        return _hosts.Contains(host.Trim('[', ']')) || IsAllowListed(address) || !BlockedAddresses.Contains(address);
    }

    private bool IsAllowListed(IPAddress address)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _networks.Exists(n => n.Contains(plain));
    }

    /// <summary>The allow-list's host names and networks (an address is a network of one), and the entries that are neither.</summary>
    public static (List<string> Hosts, List<IPNetwork> Networks, List<string> Invalid) ParseAllowList(string? value)
    {
        var hosts = new List<string>();
        var networks = new List<IPNetwork>();
        var invalid = new List<string>();
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bare = entry.Trim('[', ']');
            if (IPAddress.TryParse(bare, out var address))
            {
                // Addresses are compared as IPv4 when IPv4-mapped (see IsAllowListed), so the entry is too.
                var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                networks.Add(new IPNetwork(plain, plain.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (IPNetwork.TryParse(bare, out var network))
            {
                networks.Add(network);
            }
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns)
            {
                hosts.Add(entry);
            }
            else
            {
                invalid.Add(entry);
            }
        }

        return (hosts, networks, invalid);
    }
}
