namespace GridQueue.Server.Auth;

/// <summary>The resolved authentication mode and the keys user tokens are checked with, fixed at start-up.</summary>
/// <param name="Secret">The HS256 secret (the public dev secret in dev mode); null when only published keys are trusted.</param>
/// <param name="Keys">Where ES256/RS256 keys are published (Auth__JwksUrl or Auth__Authority), when set.</param>
/// <param name="Issuer">The "iss" every token must carry, when set (Auth__Issuer, else the Auth__Authority).</param>
public sealed record AuthMode(bool IsDev, string? Secret, string? Audience, PublishedKeys? Keys = null, string? Issuer = null)
{
    /// <summary>
    /// Applies the contract's rules for Auth__Mode; throws with a message naming the settings to fix. Dev mode hands a
    /// token for any user to anyone who asks, so it never signs with a configured secret (its tokens would be valid
    /// wherever that secret is trusted, e.g. as Supabase user tokens), and outside the Development environment it
    /// must be asked for twice (Auth__Mode=dev and Auth__AllowDevMode=true), so one stray setting cannot open a server.
    /// </summary>
    /// <param name="environmentName">The host environment (Development, Staging, Production, ...).</param>
    public static AuthMode Resolve(AuthOptions options, string environmentName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var isDevelopment = string.Equals(environmentName, Environments.Development, StringComparison.OrdinalIgnoreCase);
        var secret = string.IsNullOrEmpty(options.JwtSecret) ? null : options.JwtSecret;
        var keys = PublishedKeys.Resolve(options);
        var mode = options.Mode?.Trim().ToLowerInvariant() switch
        {
            null or "" => secret is null && keys is null && isDevelopment ? "dev" : "jwt",
            "dev" => "dev",
            "jwt" => "jwt",
            var other => throw new InvalidOperationException($"Auth__Mode is '{other}'; it must be 'jwt' or 'dev'."),
        };

        if (mode == "dev" && secret is not null)
        {
            throw new InvalidOperationException(
                "Auth__Mode=dev cannot be combined with Auth__JwtSecret: dev mode gives a token for any user to anyone who asks, " +
                "so its tokens are only ever signed with the public dev secret, never with a real one. Unset Auth__JwtSecret " +
                "to run in dev mode, or set Auth__Mode=jwt (or leave it unset) to check real user tokens.");
        }

        if (mode == "dev" && keys is not null)
        {
            throw new InvalidOperationException(
                $"Auth__Mode=dev cannot be combined with {(keys.IsAuthority ? "Auth__Authority" : "Auth__JwksUrl")}: dev mode gives a token " +
                "for any user to anyone who asks, and its tokens must never be confused with real user tokens. Unset it to run " +
                "in dev mode, or set Auth__Mode=jwt (or leave it unset) to check real user tokens.");
        }

        if (mode == "dev" && !isDevelopment && !options.AllowDevMode)
        {
            throw new InvalidOperationException(
                $"Auth__Mode=dev in the '{environmentName}' environment: dev mode lets anyone sign in as any user, so outside " +
                "Development it also needs Auth__AllowDevMode=true. Set Auth__JwtSecret (and Auth__Mode=jwt) to serve real users.");
        }

        if (secret is not null && System.Text.Encoding.UTF8.GetByteCount(secret) < AuthOptions.MinSecretBytes)
        {
            throw new InvalidOperationException(
                $"Auth__JwtSecret is too short: HS256 needs at least {AuthOptions.MinSecretBytes} bytes (Supabase's JWT secret has enough).");
        }

        if (mode == "jwt" && secret is null && keys is null)
        {
            throw new InvalidOperationException(
                "Auth__JwtSecret is not set. Set it to the HS256 secret your user tokens are signed with, or Auth__JwksUrl " +
                "(or Auth__Authority) to where their ES256/RS256 keys are published, or run with Auth__Mode=dev " +
                "(or in the Development environment) to get tokens from POST /api/v1/dev/token.");
        }

        var issuer = !string.IsNullOrWhiteSpace(options.Issuer) ? options.Issuer.Trim()
            : keys is { IsAuthority: true } ? options.Authority!.Trim()
            : null;
        return new AuthMode(
            mode == "dev",
            mode == "dev" ? AuthOptions.DevModeSecret : secret,
            string.IsNullOrEmpty(options.Audience) ? null : options.Audience,
            keys,
            issuer);
    }
}
