namespace GridQueue.Server.Hosting;

/// <summary>
/// Browser apps on other origins (configuration section "Cors"). Unset, the server sends no CORS headers at all: only
/// the dashboard, served from the server's own origin, can call the API from a browser.
/// </summary>
public sealed class CorsOptions
{
    public const string SectionName = "Cors";
    public const string Setting = "Cors__AllowedOrigins";

    /// <summary>
    /// Comma-separated origins whose pages may call the API, each exactly <c>scheme://host[:port]</c> as a browser
    /// sends it in <c>Origin</c> (e.g. <c>https://app.example.com,http://localhost:3000</c>).
    /// </summary>
    public string? AllowedOrigins { get; set; }

    /// <summary>The listed origins and, for each entry that is not an origin, a message naming it and the setting.</summary>
    public (IReadOnlyList<string> Origins, IReadOnlyList<string> Errors) Parse()
    {
        var origins = new List<string>();
        var errors = new List<string>();
        foreach (var raw in (AllowedOrigins ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Check(raw) is { } error)
            {
                errors.Add($"{Setting} has '{raw}', which {error}");
            }
            else
            {
                origins.Add(raw);
            }
        }

        return (origins, errors);
    }

    // A browser compares Origin with the list exactly, so anything but the bare origin (a path, a trailing slash, a
    // default port written out) would never match: it is refused rather than silently letting no one in.
    private static string? Check(string entry)
    {
        if (entry == "*")
        {
            return "is refused: a wildcard would let any web page use the API with a token a user pastes into it or "
                + "keeps in that page; list each origin that may call the API (e.g. https://app.example.com).";
        }

        if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "is not an absolute http or https origin (e.g. https://app.example.com or http://localhost:3000).";
        }

        var origin = uri.GetLeftPart(UriPartial.Authority);
        return string.IsNullOrEmpty(uri.UserInfo) && string.Equals(origin, entry, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"is not a bare origin: write scheme://host[:port] with no path, query, trailing slash or default port ('{origin}').";
    }
}
