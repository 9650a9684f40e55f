namespace GridQueue.Server.Auth;

/// <summary>The resolved authentication mode and signing secret, fixed at start-up.</summary>
public sealed record AuthMode(bool IsDev, string Secret, string? Audience)
{
    /// <summary>Applies the contract's rules for Auth__Mode; throws with a message naming the setting to fix.</summary>
    public static AuthMode Resolve(AuthOptions options, bool isDevelopmentEnvironment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secret = string.IsNullOrEmpty(options.JwtSecret) ? null : options.JwtSecret;
        var mode = options.Mode?.Trim().ToLowerInvariant() switch
        {
            null or "" => secret is null && isDevelopmentEnvironment ? "dev" : "jwt",
            "dev" => "dev",
            "jwt" => "jwt",
            var other => throw new InvalidOperationException($"Auth__Mode is '{other}'; it must be 'jwt' or 'dev'."),
        };

        if (secret is not null && System.Text.Encoding.UTF8.GetByteCount(secret) < AuthOptions.MinSecretBytes)
        {
            throw new InvalidOperationException(
                $"Auth__JwtSecret is too short: HS256 needs at least {AuthOptions.MinSecretBytes} bytes (Supabase's JWT secret has enough).");
        }

        if (mode == "jwt" && secret is null)
        {
            throw new InvalidOperationException(
                "Auth__JwtSecret is not set. Set it to the HS256 secret your user tokens are signed with, or run with Auth__Mode=dev " +
                "(or in the Development environment) to get tokens from POST /api/v1/dev/token.");
        }

        return new AuthMode(mode == "dev", secret ?? AuthOptions.DevModeSecret, string.IsNullOrEmpty(options.Audience) ? null : options.Audience);
    }
}
