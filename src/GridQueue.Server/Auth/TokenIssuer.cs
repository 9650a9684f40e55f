using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Auth;

/// <summary>Signs dev-mode tokens shaped like Supabase's user tokens (sub, exp, iat, role, aud when configured), with the admin claim when asked for.</summary>
public sealed class TokenIssuer(AuthMode mode, TimeProvider time)
{
    private readonly SigningCredentials _credentials = new(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(mode.IsDev ? mode.Secret! : throw new InvalidOperationException("Tokens are only issued in dev mode."))),
        SecurityAlgorithms.HmacSha256);

    /// <param name="adminClaim">The admin claim (Admin__ClaimType, Admin__ClaimValue) to add, for a dev sign-in as an admin.</param>
    public string Issue(string userId, TimeSpan lifetime, (string Type, string Value)? adminClaim = null)
    {
        var claims = new List<Claim> { new("sub", userId) };
        if (adminClaim is not { } admin || admin.Type != "role")
        {
            claims.Add(new Claim("role", "authenticated"));
        }

        if (adminClaim is { } claim)
        {
            claims.Add(new Claim(claim.Type, claim.Value));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Audience = mode.Audience,
            SigningCredentials = _credentials,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
