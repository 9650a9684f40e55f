using System.Text;
using GridQueue.Server.Api;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Auth;

/// <summary>
/// Bearer tokens with ASP.NET Core's JWT handler: HS256 with the secret, ES256/RS256 with published keys (either or
/// both); failures answer in the contract's envelope.
/// </summary>
public static class AuthSetup
{
    public const string UserIdClaim = "sub";
    public const string EventsPath = "/api/v1/video/events";

    public static IServiceCollection AddGridQueueAuth(this IServiceCollection services, AuthMode mode)
    {
        services.AddSingleton(mode);
        services.AddSingleton<TokenIssuer>();
        services.AddAuthorization();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            var secretKey = mode.Secret is null ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(mode.Secret));
            options.TokenValidationParameters = new TokenValidationParameters
            {
                IssuerSigningKey = secretKey,
                AlgorithmValidator = (algorithm, key, _, _) => AlgorithmFits(algorithm, key, secretKey),
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ValidateIssuer = mode.Issuer is not null,
                // Exactly the one issuer (the handler would also take a discovery document's own "issuer"); the
                // delegate runs even when ValidateIssuer is false, so it is set only when there is an issuer to check.
                IssuerValidator = mode.Issuer is null ? null : (issuer, _, _) => string.Equals(issuer, mode.Issuer, StringComparison.Ordinal)
                    ? issuer
                    : throw new SecurityTokenInvalidIssuerException("The token's issuer is not accepted.") { InvalidIssuer = issuer },
                ValidateAudience = mode.Audience is not null,
                ValidAudience = mode.Audience,
                ValidateIssuerSigningKey = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = UserIdClaim,
            };
            if (mode.Keys is not null)
            {
                UsePublishedKeys(options, mode.Keys);
            }

            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    // EventSource cannot send headers, so the event stream also takes ?access_token=.
                    if (string.IsNullOrEmpty(context.Token)
                        && context.Request.Path.StartsWithSegments(EventsPath, StringComparison.Ordinal)
                        && context.Request.Query.TryGetValue("access_token", out var token))
                    {
                        context.Token = token.ToString();
                    }

                    return Task.CompletedTask;
                },
                OnTokenValidated = context =>
                {
                    var sub = context.Principal?.FindFirst(UserIdClaim)?.Value;
                    if (string.IsNullOrWhiteSpace(sub))
                    {
                        context.Fail("The token has no 'sub' claim.");
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    var message = context.AuthenticateFailure switch
                    {
                        null when string.IsNullOrEmpty(context.Request.Headers.Authorization) => "A bearer token is required (Authorization: Bearer <token>).",
                        null => "The Authorization header must be 'Bearer <token>'.",
                        SecurityTokenExpiredException => "The token has expired.",
                        SecurityTokenInvalidAudienceException => "The token's audience is not accepted.",
                        SecurityTokenNoExpirationException => "The token has no expiry ('exp').",
                        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The token's signature does not verify.",
                        SecurityTokenInvalidIssuerException => "The token's issuer is not accepted.",
                        SecurityTokenInvalidAlgorithmException => AlgorithmMessage(mode),
                        _ => "The token is not valid.",
                    };
                    // RFC 6750: a 401 names the scheme the client must use; a token that was sent and refused also
                    // says so, so a client knows to get a new token rather than add one.
                    context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                    await ApiErrors.Unauthorized(message).WriteAsync(context.Response).ConfigureAwait(false);
                },
            };
        });
        return services;
    }

    /// <summary>
    /// HS256 only with the configured secret, ES256/RS256 only with published keys: a token cannot pick the algorithm
    /// its key is used with (an HS256 token "signed" with a public key, or an RS256 key named by an HS256 header).
    /// </summary>
    private static bool AlgorithmFits(string algorithm, SecurityKey key, SymmetricSecurityKey? secretKey) =>
        secretKey is not null && ReferenceEquals(key, secretKey)
            ? algorithm == SecurityAlgorithms.HmacSha256
            : key is not SymmetricSecurityKey && key is not JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.Octet }
                && algorithm is SecurityAlgorithms.EcdsaSha256 or SecurityAlgorithms.RsaSha256;

    private static string AlgorithmMessage(AuthMode mode) => (mode.Secret, mode.Keys) switch
    {
        (not null, not null) => "The token must be signed with HS256 (the secret) or ES256/RS256 (the published keys).",
        (null, not null) => "The token must be signed with ES256 or RS256.",
        _ => "The token must be signed with HS256.",
    };

    /// <summary>
    /// Discovery goes through JwtBearer's own Authority handling; a bare JWKS URL gets the same ConfigurationManager
    /// with <see cref="JwksRetriever"/>. Either way the keys are cached and an unknown "kid" makes the token handler ask
    /// for a new fetch, at most once per <see cref="PublishedKeys.RefreshInterval"/>.
    /// </summary>
    private static void UsePublishedKeys(JwtBearerOptions options, PublishedKeys keys)
    {
        options.RequireHttpsMetadata = !keys.AllowsHttp;
        options.RefreshInterval = keys.RefreshInterval;
        if (keys.IsAuthority)
        {
            options.Authority = keys.Address.OriginalString;
            return;
        }

        var retriever = new HttpDocumentRetriever(new HttpClient { Timeout = options.BackchannelTimeout }) { RequireHttps = !keys.AllowsHttp };
        options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(keys.Address.AbsoluteUri, new JwksRetriever(), retriever)
        {
            RefreshInterval = keys.RefreshInterval,
        };
    }

    /// <summary>The caller's user id (the token's sub) on an authorized endpoint.</summary>
    public static string UserId(this HttpContext context) =>
        context.User.FindFirst(UserIdClaim)?.Value ?? throw new InvalidOperationException("The endpoint requires authorization.");
}
