using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Auth;

/// <summary>Signs dev-mode tokens shaped like Supabase's user tokens (sub, exp, iat, role, aud when configured).</summary>
public sealed class TokenIssuer(AuthMode mode, TimeProvider time)
{
    private readonly SigningCredentials _credentials = new(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(mode.IsDev ? mode.Secret! : throw new InvalidOperationException("Tokens are only issued in dev mode."))),
        SecurityAlgorithms.HmacSha256);

    public string Issue(string userId, TimeSpan lifetime)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("role", "authenticated")]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Audience = mode.Audience,
            SigningCredentials = _credentials,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
