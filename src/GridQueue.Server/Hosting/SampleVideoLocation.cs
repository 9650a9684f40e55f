using GridQueue.Tasks.Providers.Simulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace GridQueue.Server.Hosting;

/// <summary>
/// The built-in simulator's videos: the short clip in wwwroot/samples (made by scripts/make-sample-video.sh), served
/// by this server's static files (range requests, <c>video/webm</c>). The URL is absolute, as every provider's is: at
/// <c>Server:PublicUrl</c> when set, else at the address the server listens on, a wildcard host (0.0.0.0, [::])
/// read as localhost. Behind a proxy or on another machine, <c>Server:PublicUrl</c> is what makes it reachable.
/// </summary>
public sealed class SampleVideoLocation(IServer server, IConfiguration configuration) : ISimulatorVideoLocation
{
    /// <summary>The clip's path under the server's base address (wwwroot/samples/simulated.webm).</summary>
    public const string SamplePath = "samples/simulated.webm";

    private string? _url;

    public string? VideoUrl => _url ??= Resolve();

    private string? Resolve()
    {
        var baseAddress = configuration["Server:PublicUrl"] is { Length: > 0 } publicUrl ? publicUrl : ListeningAddress();
        if (baseAddress is null || !Uri.TryCreate(baseAddress.EndsWith('/') ? baseAddress : baseAddress + "/", UriKind.Absolute, out var root))
        {
            return null;
        }

        return new Uri(root, SamplePath).AbsoluteUri;
    }

    /// <summary>The first http(s) address Kestrel is bound to (https first), or null before it listens.</summary>
    private string? ListeningAddress()
    {
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        var usable = bound
            .Select(address => Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Port > 0 ? uri : null)
            .OfType<Uri>()
            .OrderBy(uri => uri.Scheme == "https" ? 0 : 1)
            .FirstOrDefault();
        if (usable is null)
        {
            return null;
        }

        var wildcard = usable.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*";
        return new UriBuilder(usable) { Host = wildcard ? "localhost" : usable.Host }.Uri.AbsoluteUri;
    }
}
