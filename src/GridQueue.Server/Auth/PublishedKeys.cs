using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Auth;

/// <summary>
/// Where the public keys of ES256/RS256 user tokens are published: a bare JWKS document (Auth__JwksUrl) or an issuer's
/// discovery document (Auth__Authority). The keys are fetched when needed, cached, and fetched again when a token names
/// a key not yet known, so a key rotation at the issuer needs no restart here.
/// </summary>
/// <param name="Address">The JWKS URL or the authority.</param>
/// <param name="IsAuthority">True when <paramref name="Address"/> is an authority with discovery.</param>
/// <param name="RefreshInterval">Least time between two fetches asked for by unknown keys.</param>
public sealed record PublishedKeys(Uri Address, bool IsAuthority, TimeSpan RefreshInterval)
{
    /// <summary>
    /// Plain http is accepted for loopback hosts only (a local identity provider, the tests): anywhere else the keys
    /// could be swapped on the way, and whoever swaps them can sign in as anyone.
    /// </summary>
    public bool AllowsHttp => Address.Scheme == Uri.UriSchemeHttp;

    /// <summary>Reads Auth__JwksUrl, Auth__Authority and Auth__JwksRefreshInterval; null when neither source is set.</summary>
    public static PublishedKeys? Resolve(AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var jwksUrl = string.IsNullOrWhiteSpace(options.JwksUrl) ? null : ParseUrl(options.JwksUrl, "Auth__JwksUrl");
        var authority = string.IsNullOrWhiteSpace(options.Authority) ? null : ParseUrl(options.Authority, "Auth__Authority");
        if (jwksUrl is not null && authority is not null)
        {
            throw new InvalidOperationException(
                "Auth__JwksUrl and Auth__Authority are both set; set one: Auth__JwksUrl for a JWKS document, or Auth__Authority " +
                "for an issuer that publishes /.well-known/openid-configuration.");
        }

        var interval = options.JwksRefreshInterval ?? BaseConfigurationManager.DefaultRefreshInterval;
        if (interval < BaseConfigurationManager.MinimumRefreshInterval)
        {
            throw new InvalidOperationException(
                $"Auth__JwksRefreshInterval is {interval}; it must be at least {BaseConfigurationManager.MinimumRefreshInterval} " +
                $"(unset: {BaseConfigurationManager.DefaultRefreshInterval}).");
        }

        if (jwksUrl is null && authority is null)
        {
            return options.JwksRefreshInterval is null ? null : throw new InvalidOperationException(
                "Auth__JwksRefreshInterval is set without Auth__JwksUrl or Auth__Authority; it only applies to published keys.");
        }

        return new PublishedKeys((jwksUrl ?? authority)!, authority is not null, interval);
    }

    private static Uri ParseUrl(string value, string setting)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{setting} is '{value}'; it must be an absolute https URL.");
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            throw new InvalidOperationException(
                $"{setting} is '{value}'; it must use https (plain http is accepted for loopback hosts only, since keys fetched " +
                "over http could be replaced on the way).");
        }

        return url;
    }
}
