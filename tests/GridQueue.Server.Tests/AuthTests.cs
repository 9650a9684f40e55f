using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GridQueue.Server.Auth;
using GridQueue.Server.Hosting;
using GridQueue.Server.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GridQueue.Server.Tests;

/// <summary>Two servers in production (jwt) mode: one without a required audience, one with.</summary>
public sealed class JwtServersFixture : IAsyncLifetime
{
    public const string Secret = "gridqueue-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF";
    public const string Audience = "authenticated";

    public RunningServer Server { get; private set; } = null!;

    public RunningServer AudienceServer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "jwt", ["Auth:JwtSecret"] = Secret });
        AudienceServer = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "jwt",
            ["Auth:JwtSecret"] = Secret,
            ["Auth:Audience"] = Audience,
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await AudienceServer.DisposeAsync();
    }
}

/// <summary>
/// Production authentication: HS256 tokens signed with the configured secret, as Supabase signs user tokens. Tokens
/// are signed here, independently of the server's own issuer.
/// </summary>
public sealed class AuthTests : IClassFixture<JwtServersFixture>
{
    private const string TasksPath = "api/v1/video/tasks";

    private readonly RunningServer _server;
    private readonly RunningServer _audienceServer;

    public AuthTests(JwtServersFixture fixture)
    {
        // The servers are shared by the class (its tests run one at a time); each test starts with empty error logs.
        _server = fixture.Server;
        _audienceServer = fixture.AudienceServer;
        _server.ErrorLog.Errors.Clear();
        _audienceServer.ErrorLog.Errors.Clear();
    }

    public static TheoryData<string> MalformedTokens =>
    [
        "abc",
        "not.a.jwt",
        "a.b.c.d.e",
        "eyJhbGciOiJIUzI1NiJ9.",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9",
        "Bearer",
    ];

    public static TheoryData<string> RoutesThatIgnoreAccessTokenQuery =>
    [
        "GET " + TasksPath,
        "GET api/v1/video/status/tsk_00000000000000000000000000",
        "POST api/v1/video/generate",
        "POST api/v1/video/cancel/tsk_00000000000000000000000000",
    ];

    [Fact]
    public async Task Tasks_ValidHs256TokenWithSubAndExp_Returns200AsTheSubUser()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "8d0c4d2e-user-alice", ["exp"] = InMinutes(10) });

        var list = await SendAsync(_server, HttpMethod.Get, TasksPath, token);
        var generate = await SendAsync(_server, HttpMethod.Post, "api/v1/video/generate", token, """{"prompt": "a kite", "model": "sora-2"}""");

        Assert.True(list.Status == HttpStatusCode.OK, list.ToString());
        Assert.True(generate.Status == HttpStatusCode.OK, generate.ToString());
        using var task = JsonDocument.Parse(generate.Text);
        Assert.Equal("8d0c4d2e-user-alice", task.RootElement.GetProperty("data").GetProperty("user_id").GetString());
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_TokenWithSupabaseClaims_RoleIsIgnoredAndAnyAudienceAcceptedWhenNoneIsSet()
    {
        var token = Sign(new Dictionary<string, object>
        {
            ["sub"] = "bob",
            ["exp"] = InMinutes(10),
            ["iat"] = InMinutes(0),
            ["role"] = "service_role",
            ["aud"] = "someone-else",
            ["email"] = "bob@gridqueue.invalid",
        });

        var response = await SendAsync(_server, HttpMethod.Get, TasksPath, token);

        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_ExpiredToken_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(-5), ["iat"] = InMinutes(-65) });
        await AssertUnauthorizedAsync(_server, token);
    }

    [Fact]
    public async Task Tasks_TokenNotValidYet_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(60), ["nbf"] = InMinutes(10) });
        await AssertUnauthorizedAsync(_server, token);
    }

    [Fact]
    public async Task Tasks_UnsignedAlgNoneToken_Returns401Unauthorized()
    {
        var token = Unsigned("""{"alg":"none","typ":"JWT"}""", new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) });
        await AssertUnauthorizedAsync(_server, token);
    }

    [Fact]
    public async Task Tasks_AlgNoneHeaderOverAValidSignature_Returns401Unauthorized()
    {
        var valid = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) }).Split('.');
        var token = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{valid[1]}.{valid[2]}";
        await AssertUnauthorizedAsync(_server, token);
    }

    [Fact]
    public async Task Tasks_TokenSignedWithAnotherSecret_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) }, secret: "another-secret-of-enough-length-0123456789-abcdefghijklmnopqrstuv");
        await AssertUnauthorizedAsync(_server, token);
    }

    [Fact]
    public async Task Tasks_TokenSignedWithTheDevModeSecret_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) }, secret: AuthOptions.DevModeSecret);
        await AssertUnauthorizedAsync(_server, token);
    }

    [Fact]
    public async Task Tasks_TokenSignedWithHs512_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) }, algorithm: SecurityAlgorithms.HmacSha512);
        await AssertUnauthorizedAsync(_server, token);
    }

    [Fact]
    public async Task Tasks_TokenWithPayloadChangedAfterSigning_Returns401Unauthorized()
    {
        var signed = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) }).Split('.');
        var forged = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new Dictionary<string, object> { ["sub"] = "admin", ["exp"] = InMinutes(10) }));
        await AssertUnauthorizedAsync(_server, $"{signed[0]}.{forged}.{signed[2]}");
    }

    [Theory]
    [MemberData(nameof(MalformedTokens))]
    public Task Tasks_MalformedToken_Returns401Unauthorized(string token) => AssertUnauthorizedAsync(_server, token);

    [Fact]
    public async Task Tasks_TokenWithoutExp_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["iat"] = InMinutes(0) });
        Assert.False(new JsonWebToken(token).TryGetPayloadValue<long>("exp", out _), "The test token must have no exp.");
        await AssertUnauthorizedAsync(_server, token);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Tasks_TokenWithoutSub_Returns401Unauthorized(string? sub)
    {
        var payload = new Dictionary<string, object> { ["exp"] = InMinutes(10), ["role"] = "authenticated" };
        if (sub is not null)
        {
            payload["sub"] = sub;
        }

        await AssertUnauthorizedAsync(_server, Sign(payload));
    }

    [Fact]
    public async Task Tasks_WrongAudienceWhenAudienceIsSet_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10), ["aud"] = "anon" });
        await AssertUnauthorizedAsync(_audienceServer, token);
    }

    [Fact]
    public async Task Tasks_NoAudienceWhenAudienceIsSet_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) });
        await AssertUnauthorizedAsync(_audienceServer, token);
    }

    [Fact]
    public async Task Tasks_RightAudienceWhenAudienceIsSet_Returns200()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10), ["aud"] = JwtServersFixture.Audience });

        var response = await SendAsync(_audienceServer, HttpMethod.Get, TasksPath, token);

        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        _audienceServer.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_NoAuthorizationHeader_Returns401Unauthorized()
    {
        using var client = _server.CreateClient();

        var response = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, TasksPath));

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        _server.AssertNoErrorsLogged();
    }

    [Theory]
    [InlineData("Basic xyz")]
    [InlineData("Basic YWxpY2U6c2VjcmV0")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    [InlineData("Token abc")]
    public async Task Tasks_AuthorizationNotABearerToken_Returns401Unauthorized(string authorization)
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, TasksPath);
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));

        var response = await client.SendRawAsync(request);

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Tasks_ValidBearerTokenWithBasicSchemeName_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) });
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, TasksPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);

        var response = await client.SendRawAsync(request);

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task DevToken_InJwtMode_RouteDoesNotExist404()
    {
        using var client = _server.CreateClient();

        var response = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, "api/v1/dev/token")
        {
            Content = new StringContent("""{"user_id": "alice"}""", Encoding.UTF8, "application/json"),
        });

        ErrorEnvelope.AssertError(response, HttpStatusCode.NotFound, "NOT_FOUND");
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Events_AccessTokenQuery_OpensTheStream()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) });
        using var client = new HttpClient { BaseAddress = _server.Address, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync($"api/v1/video/events?access_token={Uri.EscapeDataString(token)}", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Events_ExpiredAccessTokenQuery_Returns401Unauthorized()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(-5) });
        using var client = _server.CreateClient();

        var response = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/events?access_token={Uri.EscapeDataString(token)}"));

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        _server.AssertNoErrorsLogged();
    }

    [Theory]
    [MemberData(nameof(RoutesThatIgnoreAccessTokenQuery))]
    public async Task Route_OtherThanEvents_IgnoresAccessTokenQuery401(string route)
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) });
        var (method, path) = (route.Split(' ')[0], route.Split(' ')[1]);
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{path}?access_token={Uri.EscapeDataString(token)}");
        if (method == "POST")
        {
            request.Content = new StringContent("""{"prompt": "a kite", "model": "sora-2"}""", Encoding.UTF8, "application/json");
        }

        var response = await client.SendRawAsync(request);

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public void Build_JwtModeWithoutSecret_FailsNamingAuthJwtSecret()
    {
        var error = BuildFails([], new Dictionary<string, string?> { ["Auth:Mode"] = "jwt" });
        Assert.Contains("Auth__JwtSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NoModeAndNoSecretOutsideDevelopment_FailsNamingAuthJwtSecret()
    {
        var error = BuildFails(["--environment=Production"], new Dictionary<string, string?>());
        Assert.Contains("Auth__JwtSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SecretShorterThan32Bytes_FailsSayingTheSecretIsTooShort()
    {
        var error = BuildFails([], new Dictionary<string, string?> { ["Auth:Mode"] = "jwt", ["Auth:JwtSecret"] = new string('s', 31) });
        Assert.Contains("Auth__JwtSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("too short", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnknownMode_FailsNamingAuthMode()
    {
        var error = BuildFails([], new Dictionary<string, string?> { ["Auth:Mode"] = "open", ["Auth:JwtSecret"] = JwtServersFixture.Secret });
        Assert.Contains("Auth__Mode", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public void Build_DevModeWithJwtSecret_FailsNamingBothSettings(string environment)
    {
        var error = BuildFails(
            [$"--environment={environment}"],
            new Dictionary<string, string?> { ["Auth:Mode"] = "dev", ["Auth:AllowDevMode"] = "true", ["Auth:JwtSecret"] = JwtServersFixture.Secret });
        Assert.Contains("Auth__Mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth__JwtSecret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Build_DevModeOutsideDevelopmentWithoutAllowDevMode_FailsNamingTheSettingsAndTheEnvironment(string environment)
    {
        var error = BuildFails([$"--environment={environment}"], new Dictionary<string, string?> { ["Auth:Mode"] = "dev" });
        Assert.Contains("Auth__Mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth__AllowDevMode", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{environment}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DevModeInProductionWithoutAllowDevMode_ProcessRefusesToStart()
    {
        var folder = Directory.CreateTempSubdirectory("gq-auth-process-").FullName;
        try
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Auth__Mode"] = "dev",
                ["Storage__ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}",
            };

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(environment, "refused", folder));

            Assert.Contains("exited", error.Message, StringComparison.Ordinal);
            Assert.Contains("Auth__AllowDevMode", error.Message, StringComparison.Ordinal);
            Assert.Contains("'Production'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Start_DevModeInProductionWithAllowDevMode_StartsAndWarnsThatAnyoneCanSignIn()
    {
        var folder = Directory.CreateTempSubdirectory("gq-auth-process-").FullName;
        try
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Auth__Mode"] = "dev",
                ["Auth__AllowDevMode"] = "true",
                ["Storage__ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}",
            };
            await using (var server = await ServerProcess.StartAsync(environment, "allowed", folder))
            {
                using var client = await server.CreateClientAsync("alice");
                using var list = await client.GetAsync(TasksPath);
                Assert.Equal(HttpStatusCode.OK, list.StatusCode);

                var warning = server.Output.SingleOrDefault(line => line.Contains("anyone can sign in as any user", StringComparison.Ordinal));
                Assert.True(warning is not null, $"No start-up warning about dev mode:{Environment.NewLine}{server.Tail()}");
                Assert.Contains("warn", warning, StringComparison.Ordinal);
                Assert.Contains("'Production'", warning, StringComparison.Ordinal);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Start_DevModeInProcessWithAllowDevMode_LogsTheWarningOnceAtWarningLevel()
    {
        // RunningServer's defaults: Auth:Mode=dev and Auth:AllowDevMode=true, in the Production environment.
        await using var server = await RunningServer.StartAsync();

        Assert.Equal("Production", server.Services.GetRequiredService<IHostEnvironment>().EnvironmentName);
        var warnings = server.ErrorLog.All.Where(e => e.Contains("anyone can sign in as any user", StringComparison.Ordinal)).ToArray();
        Assert.True(warnings.Length == 1, $"Expected one dev-mode warning, got {warnings.Length}: {string.Join(" | ", warnings)}");
        server.AssertNoErrorsLogged();
    }

    public static TheoryData<string, string> ProtectedRoutesAndTokens()
    {
        var routes = new[]
        {
            "GET " + TasksPath,
            "GET api/v1/video/status/tsk_00000000000000000000000000",
            "POST api/v1/video/generate",
            "POST api/v1/video/cancel/tsk_00000000000000000000000000",
            "POST api/v1/video/retry/tsk_00000000000000000000000000",
            "GET api/v1/video/events",
        };
        var data = new TheoryData<string, string>();
        foreach (var route in routes)
        {
            foreach (var token in new[] { "none", "malformed", "wrongly signed", "expired" })
            {
                data.Add(route, token);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutesAndTokens))]
    public async Task Route_Unauthorized_AnswersWwwAuthenticateBearer(string route, string token)
    {
        var (method, path) = (route.Split(' ')[0], route.Split(' ')[1]);
        var value = token switch
        {
            "none" => null,
            "malformed" => "not.a.jwt",
            "wrongly signed" => Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(10) }, secret: AuthOptions.DevModeSecret),
            _ => Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(-5) }),
        };
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (value is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + value));
        }

        if (method == "POST")
        {
            request.Content = new StringContent("""{"prompt": "a kite", "model": "sora-2"}""", Encoding.UTF8, "application/json");
        }

        var response = await client.SendRawAsync(request);

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        AssertBearerChallenge(response, tokenWasSent: value is not null);
        _server.AssertNoErrorsLogged();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("expired")]
    public async Task Events_BadAccessTokenQuery_AnswersWwwAuthenticateBearer(string token)
    {
        var value = token == "expired" ? Sign(new Dictionary<string, object> { ["sub"] = "alice", ["exp"] = InMinutes(-5) }) : "garbage";
        using var client = _server.CreateClient();

        var response = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/events?access_token={Uri.EscapeDataString(value)}"));

        ErrorEnvelope.AssertError(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        AssertBearerChallenge(response, tokenWasSent: true);
        _server.AssertNoErrorsLogged();
    }

    /// <summary>RFC 6750: the Bearer scheme; error="invalid_token" only when a token was sent and refused.</summary>
    private static void AssertBearerChallenge(RawResponse response, bool tokenWasSent)
    {
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        if (tokenWasSent)
        {
            Assert.Equal("error=\"invalid_token\"", challenge.Parameter);
        }
        else
        {
            Assert.Null(challenge.Parameter);
        }
    }

    private static long InMinutes(int minutes) => DateTimeOffset.UtcNow.AddMinutes(minutes).ToUnixTimeSeconds();

    /// <summary>Signs exactly <paramref name="payload"/> (no claims added) with HS256 and the servers' secret unless told.</summary>
    private static string Sign(Dictionary<string, object> payload, string secret = JwtServersFixture.Secret, string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), algorithm);
        return handler.CreateToken(JsonSerializer.Serialize(payload), credentials);
    }

    /// <summary>An unsigned token: the header and payload as given, an empty signature.</summary>
    private static string Unsigned(string header, Dictionary<string, object> payload) =>
        $"{Base64UrlEncoder.Encode(header)}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.";

    private static async Task<RawResponse> SendAsync(RunningServer server, HttpMethod method, string path, string token, string? json = null)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await client.SendRawAsync(request);
    }

    private static async Task AssertUnauthorizedAsync(RunningServer server, string token)
    {
        ErrorEnvelope.AssertError(await SendAsync(server, HttpMethod.Get, TasksPath, token), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        ErrorEnvelope.AssertError(
            await SendAsync(server, HttpMethod.Post, "api/v1/video/generate", token, """{"prompt": "a kite", "model": "sora-2"}"""),
            HttpStatusCode.Unauthorized,
            "UNAUTHORIZED");
        server.AssertNoErrorsLogged();
    }

    private static InvalidOperationException BuildFails(string[] args, Dictionary<string, string?> settings)
    {
        var folder = Directory.CreateTempSubdirectory("gq-auth-build-").FullName;
        try
        {
            settings["Storage:ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}";
            WebApplication? app = null;
            var error = Record.Exception(() => app = ServerApp.Build(args, builder => builder.Configuration.AddInMemoryCollection(settings)));
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
