using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GridQueue.Server.Testing;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Tests;

/// <summary>A server that lets one other origin call it, with a generate limit low enough to reach.</summary>
public sealed class CorsServerFixture : IAsyncLifetime
{
    public const string Origin = "https://app.example.com";
    public const int GeneratePerMinute = 2;

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync(new Dictionary<string, string?>
    {
        ["Cors:AllowedOrigins"] = $"{Origin}, http://localhost:3000",
        ["Api:GeneratePerMinute"] = GeneratePerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Cross-origin calls over HTTP: preflights answered before authentication and rate limiting, the allow-list, the
/// headers on real answers and on error envelopes, and the setting's checks at start.
/// </summary>
public sealed class CorsTests(CorsServerFixture fixture) : IClassFixture<CorsServerFixture>
{
    private const string OtherOrigin = "https://evil.example.net";
    private const string GeneratePath = "api/v1/video/generate";
    private const string EventsPath = "api/v1/video/events";

    private readonly RunningServer _server = fixture.Server;

    [Fact]
    public async Task Preflight_GenerateFromAllowedOrigin_Is204WithMethodsHeadersAndMaxAge()
    {
        using var client = _server.CreateClient();
        using var response = await client.SendAsync(Preflight(GeneratePath, CorsServerFixture.Origin, "POST", "authorization,content-type,idempotency-key,x-user-api-key"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CorsServerFixture.Origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal(["GET", "POST"], List(response, "Access-Control-Allow-Methods").Order(StringComparer.Ordinal));
        var headers = List(response, "Access-Control-Allow-Headers");
        foreach (var name in new[] { "authorization", "content-type", "idempotency-key", "x-user-api-key" })
        {
            Assert.Contains(name, headers, StringComparer.OrdinalIgnoreCase);
        }

        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Preflight_EventStreamWithLastEventIdFromAllowedOrigin_Is204()
    {
        using var client = _server.CreateClient();
        using var response = await client.SendAsync(Preflight(EventsPath, "http://localhost:3000", "GET", "last-event-id"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("http://localhost:3000", Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("GET", List(response, "Access-Control-Allow-Methods"));
        Assert.Contains("last-event-id", List(response, "Access-Control-Allow-Headers"), StringComparer.OrdinalIgnoreCase);
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
    }

    [Fact]
    public async Task Preflight_UserGeminiKeyHeader_IsAllowed()
    {
        using var client = _server.CreateClient();
        using var response = await client.SendAsync(Preflight(GeneratePath, CorsServerFixture.Origin, "POST", "x-user-gemini-key"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("x-user-gemini-key", List(response, "Access-Control-Allow-Headers"), StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(GeneratePath, "POST", "authorization,content-type,idempotency-key,x-user-api-key")]
    [InlineData(EventsPath, "GET", "last-event-id")]
    public async Task Preflight_FromOriginNotListed_GetsNoCorsHeaders(string path, string method, string headers)
    {
        using var client = _server.CreateClient();
        using var response = await client.SendAsync(Preflight(path, OtherOrigin, method, headers));

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Methods"));
        Assert.Null(Header(response, "Access-Control-Allow-Headers"));
    }

    /// <summary>The answer lists the allowed headers, not the one asked for: the browser then refuses to send the request.</summary>
    [Fact]
    public async Task Preflight_HeaderNotInTheList_IsNotAllowed()
    {
        using var client = _server.CreateClient();
        using var response = await client.SendAsync(Preflight(GeneratePath, CorsServerFixture.Origin, "POST", "x-something-else"));

        var allowed = List(response, "Access-Control-Allow-Headers");
        Assert.DoesNotContain("x-something-else", allowed, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Idempotency-Key", allowed, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RealRequests_FromAllowedOrigin_CarryAllowOriginAndExposeETagAndRetryAfter()
    {
        using var client = await _server.CreateClientAsync("cors-real");
        client.DefaultRequestHeaders.Add("Origin", CorsServerFixture.Origin);

        using var post = await client.PostAsJsonAsync(GeneratePath, TaskApi.Body());
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        AssertCorsAnswer(post);
        var task = (await post.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("data");

        using var get = await client.GetAsync($"api/v1/video/status/{task.Id()}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        AssertCorsAnswer(get);
        Assert.NotNull(get.Headers.ETag);
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task RealRequest_FromOriginNotListed_GetsNoCorsHeaders()
    {
        using var client = await _server.CreateClientAsync("cors-other");
        client.DefaultRequestHeaders.Add("Origin", OtherOrigin);

        using var response = await client.GetAsync("api/v1/video/tasks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task ErrorEnvelopes_401_404_405_FromAllowedOrigin_CarryTheCorsHeaders()
    {
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", CorsServerFixture.Origin);

        var unauthorized = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/video/tasks"));
        ErrorEnvelope.AssertError(unauthorized, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal([CorsServerFixture.Origin], unauthorized.Headers.GetValues("Access-Control-Allow-Origin"));

        var notFound = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/no-such-route"));
        ErrorEnvelope.AssertError(notFound, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal([CorsServerFixture.Origin], notFound.Headers.GetValues("Access-Control-Allow-Origin"));

        // A wrong method that is not a preflight is still 405, as without CORS.
        var wrongMethod = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Put, GeneratePath));
        ErrorEnvelope.AssertError(wrongMethod, HttpStatusCode.MethodNotAllowed, "BAD_REQUEST");
        Assert.Equal([CorsServerFixture.Origin], wrongMethod.Headers.GetValues("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task RateLimited_FromAllowedOrigin_CarriesCorsHeaders_AndPreflightIsStill204()
    {
        using var client = await _server.CreateClientAsync("cors-limited");
        client.DefaultRequestHeaders.Add("Origin", CorsServerFixture.Origin);
        for (var i = 0; i < CorsServerFixture.GeneratePerMinute; i++)
        {
            using var ok = await client.PostAsJsonAsync(GeneratePath, TaskApi.Body());
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var limited = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, GeneratePath) { Content = JsonContent.Create(TaskApi.Body()) });
        ErrorEnvelope.AssertError(limited, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.Equal([CorsServerFixture.Origin], limited.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("Retry-After", limited.Headers.GetValues("Access-Control-Expose-Headers").Single().Split(','), StringComparer.OrdinalIgnoreCase);

        var preflight = Preflight(GeneratePath, CorsServerFixture.Origin, "POST", "authorization,content-type");
        preflight.Headers.Authorization = client.DefaultRequestHeaders.Authorization;
        using var response = await client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task NoSetting_NoCorsHeaders_AndOptionsIs405AsBefore()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.CreateClient();

        using var preflight = await client.SendAsync(Preflight(GeneratePath, CorsServerFixture.Origin, "POST", "authorization,content-type"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, preflight.StatusCode);
        Assert.DoesNotContain(preflight.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));

        client.DefaultRequestHeaders.Add("Origin", CorsServerFixture.Origin);
        using var unauthorized = await client.GetAsync("api/v1/video/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.DoesNotContain(unauthorized.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://app.example.com/")]
    [InlineData("https://app.example.com/app")]
    [InlineData("https://app.example.com?x=1")]
    [InlineData("https://app.example.com:443")]
    [InlineData("app.example.com")]
    [InlineData("ftp://app.example.com")]
    [InlineData("https://user@app.example.com")]
    public async Task Start_BadOrigin_FailsNamingTheSettingAndTheEntry(string entry)
    {
        var folder = Directory.CreateTempSubdirectory("gq-cors-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(
                () => RunningServer.StartAsync(new Dictionary<string, string?> { ["Cors:AllowedOrigins"] = $"http://localhost:3000,{entry}" }, folder));
            Assert.Contains("Cors__AllowedOrigins", error.Message, StringComparison.Ordinal);
            Assert.Contains($"'{entry}'", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("'http://localhost:3000'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static void AssertCorsAnswer(HttpResponseMessage response)
    {
        Assert.Equal(CorsServerFixture.Origin, Header(response, "Access-Control-Allow-Origin"));
        var exposed = List(response, "Access-Control-Expose-Headers");
        Assert.Contains("ETag", exposed, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Retry-After", exposed, StringComparer.OrdinalIgnoreCase);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static string[] List(HttpResponseMessage response, string name) =>
        (Header(response, name) ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
