using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Tests;

/// <summary>A signing key of the test issuer: its private half signs tokens, its public half is published.</summary>
public sealed class IssuerKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    private IssuerKey(AsymmetricAlgorithm key, string kid, string algorithm)
    {
        _key = key;
        Kid = kid;
        Algorithm = algorithm;
    }

    public string Kid { get; }

    public string Algorithm { get; }

    public static IssuerKey Es256(string kid) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), kid, SecurityAlgorithms.EcdsaSha256);

    public static IssuerKey Rs256(string kid) => new(RSA.Create(2048), kid, SecurityAlgorithms.RsaSha256);

    /// <summary>The public key as a JWK, written by hand the way Supabase publishes it.</summary>
    public Dictionary<string, string> PublicJwk()
    {
        if (_key is ECDsa ec)
        {
            var p = ec.ExportParameters(includePrivateParameters: false);
            return new() { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y), ["kid"] = Kid, ["alg"] = Algorithm, ["use"] = "sig" };
        }

        var r = ((RSA)_key).ExportParameters(includePrivateParameters: false);
        return new() { ["kty"] = "RSA", ["n"] = Base64UrlEncoder.Encode(r.Modulus), ["e"] = Base64UrlEncoder.Encode(r.Exponent), ["kid"] = Kid, ["alg"] = Algorithm, ["use"] = "sig" };
    }

    /// <summary>The public key's DER bytes (SubjectPublicKeyInfo), what an attacker could use as an HMAC secret.</summary>
    public byte[] PublicKeyBytes() => _key.ExportSubjectPublicKeyInfo();

    /// <summary>Signs exactly <paramref name="payload"/> (no claims added), with this key's kid in the header.</summary>
    public string Sign(Dictionary<string, object> payload)
    {
        SecurityKey key = _key is ECDsa ec ? new ECDsaSecurityKey(ec) { KeyId = Kid } : new RsaSecurityKey((RSA)_key) { KeyId = Kid };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(JsonSerializer.Serialize(payload), new SigningCredentials(key, Algorithm));
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>
/// The test's own issuer on loopback: a JWKS document at /auth/v1/.well-known/jwks.json and a discovery document at
/// /auth/v1/.well-known/openid-configuration naming it, laid out as Supabase lays them out. The published keys can be
/// replaced (a rotation), and fetches of the JWKS are counted.
/// </summary>
public sealed class JwksHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile IssuerKey[] _published;
    private int _jwksFetches;

    private JwksHost(WebApplication app, IssuerKey[] published)
    {
        _app = app;
        _published = published;
    }

    /// <summary>The issuer, e.g. http://127.0.0.1:41234/auth/v1 (no trailing slash, like Supabase's).</summary>
    public string Authority { get; private set; } = "";

    public string JwksUrl => Authority + "/.well-known/jwks.json";

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public static async Task<JwksHost> StartAsync(params IssuerKey[] published)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var host = new JwksHost(app, published);
        app.MapGet("/auth/v1/.well-known/jwks.json", () =>
        {
            Interlocked.Increment(ref host._jwksFetches);
            return Results.Json(new { keys = host._published.Select(k => k.PublicJwk()).ToArray() });
        });
        app.MapGet("/auth/v1/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = host.Authority,
            ["jwks_uri"] = host.JwksUrl,
            ["id_token_signing_alg_values_supported"] = new[] { "ES256", "RS256" },
        }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host.Authority = address.TrimEnd('/') + "/auth/v1";
        return host;
    }

    /// <summary>Publishes <paramref name="keys"/> in place of the current set.</summary>
    public void Publish(params IssuerKey[] keys) => _published = keys;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
