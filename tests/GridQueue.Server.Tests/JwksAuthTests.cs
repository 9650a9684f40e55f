using System.Net;
using System.Text;
using System.Text.Json;
using GridQueue.Server.Auth;
using GridQueue.Server.Hosting;
using GridQueue.Server.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Tests;

/// <summary>
/// The test's issuer (an ES256 and an RS256 key) and two servers in jwt mode trusting it: one by Auth__JwksUrl with an
/// Auth__Issuer, an Auth__Audience and an HS256 secret besides; one by Auth__Authority (discovery) alone.
/// </summary>
public sealed class JwksServersFixture : IAsyncLifetime
{
    public const string Issuer = "https://issuer.gridqueue.test/auth/v1";
    public const string Audience = "authenticated";

    public IssuerKey Ec { get; } = IssuerKey.Es256("ec-1");

    public IssuerKey Rsa { get; } = IssuerKey.Rs256("rsa-1");

    public JwksHost Host { get; private set; } = null!;

    public RunningServer JwksServer { get; private set; } = null!;

    public RunningServer AuthorityServer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await JwksHost.StartAsync(Ec, Rsa);
        JwksServer = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "jwt",
            ["Auth:AllowDevMode"] = null,
            ["Auth:JwksUrl"] = Host.JwksUrl,
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:JwtSecret"] = JwtServersFixture.Secret,
            ["Auth:JwksRefreshInterval"] = "00:00:01",
        });
        AuthorityServer = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = null,
            ["Auth:AllowDevMode"] = null,
            ["Auth:Authority"] = Host.Authority,
            ["Auth:JwksRefreshInterval"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        await JwksServer.DisposeAsync();
        await AuthorityServer.DisposeAsync();
        await Host.DisposeAsync();
        Ec.Dispose();
        Rsa.Dispose();
    }
}

/// <summary>
/// ES256/RS256 user tokens checked against keys the issuer publishes (as current Supabase projects sign them), over
/// HTTP against the real server; the keys are served by the test's own issuer on loopback.
/// </summary>
public sealed class JwksAuthTests : IClassFixture<JwksServersFixture>
{
    private const string TasksPath = "api/v1/video/tasks";

    private readonly JwksServersFixture _fixture;

    public JwksAuthTests(JwksServersFixture fixture)
    {
        _fixture = fixture;
        fixture.JwksServer.ErrorLog.Errors.Clear();
        fixture.AuthorityServer.ErrorLog.Errors.Clear();
    }

    [Fact]
    public async Task Tasks_Es256TokenSignedWithAPublishedKey_Returns200AsTheSubUser()
    {
        var token = _fixture.Ec.Sign(Claims("ec-alice"));

        var list = await SendAsync(_fixture.JwksServer, TasksPath, token);
        var generate = await SendAsync(_fixture.JwksServer, "api/v1/video/generate", token, """{"prompt": "a kite", "model": "sora-2"}""");

        Assert.True(list.Status == HttpStatusCode.OK, list.ToString());
        Assert.True(generate.Status == HttpStatusCode.OK, generate.ToString());
        using var task = JsonDocument.Parse(generate.Text);
        Assert.Equal("ec-alice", task.RootElement.GetProperty("data").GetProperty("user_id").GetString());
        _fixture.JwksServer.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_Rs256TokenSignedWithAPublishedKey_Returns200()
    {
        var response = await SendAsync(_fixture.JwksServer, TasksPath, _fixture.Rsa.Sign(Claims("rsa-bob")));

        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        _fixture.JwksServer.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_Hs256TokenWithTheSecretBesidesPublishedKeys_Returns200()
    {
        var response = await SendAsync(_fixture.JwksServer, TasksPath, SignHs256(Claims("hs-carol"), Encoding.UTF8.GetBytes(JwtServersFixture.Secret)));

        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        _fixture.JwksServer.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_Es256TokenViaAuthorityDiscovery_Returns200()
    {
        var token = _fixture.Ec.Sign(Claims("disco-dave", issuer: _fixture.Host.Authority));

        var response = await SendAsync(_fixture.AuthorityServer, TasksPath, token);

        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        _fixture.AuthorityServer.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_ViaAuthorityTokenFromAnotherIssuer_Returns401BecauseTheIssuerDefaultsToTheAuthority()
    {
        await AssertUnauthorizedAsync(_fixture.AuthorityServer, _fixture.Rsa.Sign(Claims("alice", issuer: JwksServersFixture.Issuer)));
    }

    [Fact]
    public async Task Tasks_ViaAuthorityWithoutSecretHs256Token_Returns401()
    {
        var token = SignHs256(Claims("alice", issuer: _fixture.Host.Authority), Encoding.UTF8.GetBytes(JwtServersFixture.Secret));
        await AssertUnauthorizedAsync(_fixture.AuthorityServer, token);
    }

    [Fact]
    public async Task Tasks_WrongIssuer_Returns401()
    {
        await AssertUnauthorizedAsync(_fixture.JwksServer, _fixture.Ec.Sign(Claims("alice", issuer: "https://elsewhere.gridqueue.test/auth/v1")));
    }

    [Fact]
    public async Task Tasks_Expired_Returns401()
    {
        var payload = Claims("alice");
        payload["exp"] = InMinutes(-5);
        payload["iat"] = InMinutes(-65);
        await AssertUnauthorizedAsync(_fixture.JwksServer, _fixture.Ec.Sign(payload));
    }

    [Fact]
    public async Task Tasks_WrongAudience_Returns401()
    {
        var payload = Claims("alice");
        payload["aud"] = "anon";
        await AssertUnauthorizedAsync(_fixture.JwksServer, _fixture.Rsa.Sign(payload));
    }

    [Theory]
    [InlineData("HS256 signed with the RSA public key")]
    [InlineData("HS256 signed with the EC public key")]
    [InlineData("RS256 signature under an HS256 header")]
    [InlineData("ES256 signature under an RS256 header")]
    public async Task Tasks_AlgorithmNotTheKeys_Returns401(string forgery)
    {
        var token = forgery switch
        {
            "HS256 signed with the RSA public key" => SignHs256(Claims("mallory"), _fixture.Rsa.PublicKeyBytes(), _fixture.Rsa.Kid),
            "HS256 signed with the EC public key" => SignHs256(Claims("mallory"), _fixture.Ec.PublicKeyBytes(), _fixture.Ec.Kid),
            "RS256 signature under an HS256 header" => WithHeader(_fixture.Rsa.Sign(Claims("mallory")), "HS256", _fixture.Rsa.Kid),
            _ => WithHeader(_fixture.Ec.Sign(Claims("mallory")), "RS256", _fixture.Ec.Kid),
        };

        await AssertUnauthorizedAsync(_fixture.JwksServer, token);
    }

    [Fact]
    public async Task Tasks_KidNeverPublished_Returns401EvenAfterTheServerFetchedTheKeysAgain()
    {
        using var stranger = IssuerKey.Es256("ec-never-published");
        var token = stranger.Sign(Claims("mallory"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_fixture.JwksServer, TasksPath, _fixture.Ec.Sign(Claims("alice")))).Status);
        var fetchesBefore = _fixture.Host.JwksFetches;

        // An unknown kid makes the server fetch the keys again (at most once a second here); every answer stays 401.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            await AssertUnauthorizedAsync(_fixture.JwksServer, token);
            await Task.Delay(300);
        }
        while (_fixture.Host.JwksFetches == fetchesBefore && DateTime.UtcNow < deadline);

        Assert.True(_fixture.Host.JwksFetches > fetchesBefore, "The server never fetched the keys again for an unknown kid.");
        await AssertUnauthorizedAsync(_fixture.JwksServer, token);
    }

    [Fact]
    public async Task Tasks_KeyRotatedAtTheIssuer_NewKeyAcceptedAfterRefreshWithoutRestart()
    {
        using var oldKey = IssuerKey.Es256("ec-2024");
        using var newKey = IssuerKey.Rs256("rsa-2025");
        await using var host = await JwksHost.StartAsync(oldKey);
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "jwt",
            ["Auth:AllowDevMode"] = null,
            ["Auth:JwksUrl"] = host.JwksUrl,
            ["Auth:JwksRefreshInterval"] = "00:00:01",
        });
        for (var i = 0; i < 3; i++)
        {
            var before = await SendAsync(server, TasksPath, oldKey.Sign(Claims("alice")));
            Assert.True(before.Status == HttpStatusCode.OK, before.ToString());
        }

        Assert.Equal(1, host.JwksFetches);

        host.Publish(newKey);
        var token = newKey.Sign(Claims("alice"));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        RawResponse after;
        while ((after = await SendAsync(server, TasksPath, token)).Status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            ErrorEnvelope.AssertError(after, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            await Task.Delay(200);
        }

        Assert.True(after.Status == HttpStatusCode.OK, after.ToString());
        Assert.True(host.JwksFetches >= 2, $"The keys were fetched {host.JwksFetches} time(s).");
        server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_RefusedToken_KeepsTheEnvelopeAndTheBearerChallenge()
    {
        var response = await SendAsync(_fixture.JwksServer, TasksPath, _fixture.Ec.Sign(Claims("alice", issuer: "https://elsewhere.gridqueue.test")));

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal("error=\"invalid_token\"", challenge.Parameter);
    }

    [Theory]
    [InlineData("jwks.json")]
    [InlineData("/auth/v1/.well-known/jwks.json")]
    [InlineData("ftp://issuer.gridqueue.test/jwks.json")]
    [InlineData("http://issuer.gridqueue.test/auth/v1/.well-known/jwks.json")]
    public void Build_BadJwksUrl_FailsNamingAuthJwksUrl(string url)
    {
        var error = BuildFails(new Dictionary<string, string?> { ["Auth:Mode"] = "jwt", ["Auth:JwksUrl"] = url });
        Assert.Contains("Auth__JwksUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BadAuthority_FailsNamingAuthAuthority()
    {
        var error = BuildFails(new Dictionary<string, string?> { ["Auth:Authority"] = "issuer.gridqueue.test" });
        Assert.Contains("Auth__Authority", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_JwksUrlAndAuthorityBoth_FailsNamingBoth()
    {
        var error = BuildFails(new Dictionary<string, string?>
        {
            ["Auth:JwksUrl"] = "https://issuer.gridqueue.test/auth/v1/.well-known/jwks.json",
            ["Auth:Authority"] = "https://issuer.gridqueue.test/auth/v1",
        });
        Assert.Contains("Auth__JwksUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth__Authority", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auth:JwksUrl", "https://issuer.gridqueue.test/auth/v1/.well-known/jwks.json", "Auth__JwksUrl")]
    [InlineData("Auth:Authority", "https://issuer.gridqueue.test/auth/v1", "Auth__Authority")]
    public void Build_DevModeWithPublishedKeys_FailsNamingBothSettings(string key, string value, string setting)
    {
        var error = BuildFails(new Dictionary<string, string?> { ["Auth:Mode"] = "dev", ["Auth:AllowDevMode"] = "true", [key] = value });
        Assert.Contains("Auth__Mode", error.Message, StringComparison.Ordinal);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RefreshIntervalUnderOneSecond_FailsNamingTheSetting()
    {
        var error = BuildFails(new Dictionary<string, string?>
        {
            ["Auth:JwksUrl"] = "https://issuer.gridqueue.test/auth/v1/.well-known/jwks.json",
            ["Auth:JwksRefreshInterval"] = "00:00:00.100",
        });
        Assert.Contains("Auth__JwksRefreshInterval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_JwksUrlWithoutSecretOrModeInDevelopment_IsJwtModeWithoutASecret()
    {
        var mode = AuthMode.Resolve(new AuthOptions { JwksUrl = "https://issuer.gridqueue.test/auth/v1/.well-known/jwks.json" }, "Development");

        Assert.False(mode.IsDev);
        Assert.Null(mode.Secret);
        Assert.Null(mode.Issuer);
    }

    private static Dictionary<string, object> Claims(string sub, string issuer = JwksServersFixture.Issuer) => new()
    {
        ["sub"] = sub,
        ["iss"] = issuer,
        ["aud"] = JwksServersFixture.Audience,
        ["role"] = "authenticated",
        ["iat"] = InMinutes(0),
        ["exp"] = InMinutes(10),
    };

    private static long InMinutes(int minutes) => DateTimeOffset.UtcNow.AddMinutes(minutes).ToUnixTimeSeconds();

    private static string SignHs256(Dictionary<string, object> payload, byte[] secret, string? kid = null)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(JsonSerializer.Serialize(payload), new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = kid }, SecurityAlgorithms.HmacSha256));
    }

    /// <summary>The token with its header replaced (payload and signature kept).</summary>
    private static string WithHeader(string token, string algorithm, string kid)
    {
        var parts = token.Split('.');
        return $"{Base64UrlEncoder.Encode($$"""{"alg":"{{algorithm}}","kid":"{{kid}}","typ":"JWT"}""")}.{parts[1]}.{parts[2]}";
    }

    private static async Task<RawResponse> SendAsync(RunningServer server, string path, string token, string? json = null)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(json is null ? HttpMethod.Get : HttpMethod.Post, path);
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await client.SendRawAsync(request);
    }

    private static async Task AssertUnauthorizedAsync(RunningServer server, string token)
    {
        ErrorEnvelope.AssertError(await SendAsync(server, TasksPath, token), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        server.AssertNoErrorsLogged();
    }

    private static InvalidOperationException BuildFails(Dictionary<string, string?> settings)
    {
        var folder = Directory.CreateTempSubdirectory("gq-jwks-build-").FullName;
        try
        {
            settings["Storage:ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}";
            WebApplication? app = null;
            var error = Record.Exception(() => app = ServerApp.Build(["--environment=Production"], builder => builder.Configuration.AddInMemoryCollection(settings)));
            if (app is not null)
            {
                ((IDisposable)app).Dispose();
            }

            return Assert.IsType<InvalidOperationException>(error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
