using System.Text;
using GridQueue.Server.Api;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Auth;

/// <summary>HS256 bearer tokens with ASP.NET Core's JWT handler; failures answer in the contract's envelope.</summary>
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
            options.TokenValidationParameters = new TokenValidationParameters
            {
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(mode.Secret)),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ValidateIssuer = false,
                ValidateAudience = mode.Audience is not null,
                ValidAudience = mode.Audience,
                ValidateIssuerSigningKey = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = UserIdClaim,
            };
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
                        SecurityTokenInvalidAlgorithmException => "The token must be signed with HS256.",
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

    /// <summary>The caller's user id (the token's sub) on an authorized endpoint.</summary>
    public static string UserId(this HttpContext context) =>
        context.User.FindFirst(UserIdClaim)?.Value ?? throw new InvalidOperationException("The endpoint requires authorization.");
}
