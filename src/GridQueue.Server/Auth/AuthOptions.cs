namespace GridQueue.Server.Auth;

/// <summary>User authentication (configuration section "Auth").</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Signs dev-mode tokens when no secret is configured. Dev mode hands tokens to anyone who asks, so this secret protects nothing.</summary>
    public const string DevModeSecret = "gridqueue-dev-mode-only-this-secret-protects-nothing";

    /// <summary>Shortest HS256 secret accepted (256 bits, as the algorithm requires).</summary>
    public const int MinSecretBytes = 32;

    public static readonly TimeSpan DevTokenLifetime = TimeSpan.FromDays(7);

    /// <summary>"jwt" or "dev"; unset picks dev in the Development environment without a secret, else jwt.</summary>
    public string? Mode { get; set; }

    /// <summary>HS256 secret user tokens are signed with (as Supabase signs its user tokens).</summary>
    public string? JwtSecret { get; set; }

    /// <summary>When set, tokens must carry this "aud".</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// URL of a JWKS document (e.g. https://&lt;project&gt;.supabase.co/auth/v1/.well-known/jwks.json) whose keys sign
    /// ES256/RS256 user tokens; current Supabase projects sign with such keys instead of (or besides) the secret.
    /// </summary>
    public string? JwksUrl { get; set; }

    /// <summary>
    /// An issuer whose /.well-known/openid-configuration names its jwks_uri; an alternative to <see cref="JwksUrl"/>
    /// for providers that publish discovery. Tokens must then carry it as "iss" unless <see cref="Issuer"/> says otherwise.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>When set, tokens must carry this "iss" (whatever key signs them).</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// Least time between two fetches of the published keys when a token names a key not yet known (a rotation);
    /// unset keeps the framework's default. Short values are for tests: every unknown "kid" may cost a fetch.
    /// </summary>
    public TimeSpan? JwksRefreshInterval { get; set; }

    /// <summary>
    /// Lets Auth__Mode=dev run outside the Development environment (tests, benchmarks, a demo box). Off by default:
    /// dev mode lets anyone sign in as any user, so it must be asked for explicitly there.
    /// </summary>
    public bool AllowDevMode { get; set; }
}
