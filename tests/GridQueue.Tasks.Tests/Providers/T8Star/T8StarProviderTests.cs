using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Providers.T8Star;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Timeout;
using Xunit;

namespace GridQueue.Tasks.Tests.Providers.T8Star;

/// <summary>The provider without a real upstream: request shape, error mapping and retry rules, with a stubbed network.</summary>
public sealed class T8StarProviderTests
{
    private const string Key = "sk-test-0123456789";
    private static readonly Uri BaseUrl = new("http://upstream.test/");

    private static ProviderSubmitRequest Submit(string prompt = "a cat surfing", IReadOnlyList<string>? images = null, string? apiKey = null) =>
        new(new VideoSpec("sora-2", prompt, "16:9", 10, true, images ?? []), "idem-1", apiKey);

    private static HttpResponseMessage Json(HttpStatusCode code, string body) =>
        new(code) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    [Fact]
    public async Task Provider_Capabilities_NoIdempotencyNoCancel()
    {
        await using var services = new ServiceCollection().AddT8StarProvider(o => o.BaseUrl = BaseUrl).BuildServiceProvider();
        var provider = services.GetRequiredService<T8StarProvider>();

        Assert.Equal("t8star", provider.Name);
        Assert.False(provider.AcceptsIdempotencyKey);
        Assert.False(provider.CanCancel);
        Assert.True(provider.IsConfigured);
        await Assert.ThrowsAsync<NotSupportedException>(() => provider.CancelAsync(new ProviderCallRequest("t1", null), CancellationToken.None));
    }

    [Fact]
    public void AddT8StarProvider_CalledTwice_OneProviderAlsoAsIVideoProvider()
    {
        var collection = new ServiceCollection();
        collection.AddT8StarProvider(o => o.BaseUrl = BaseUrl);
        collection.AddT8StarProvider(o => o.ApiKey = Key);
        using var services = collection.BuildServiceProvider();

        var provider = Assert.Single(services.GetServices<IVideoProvider>());
        Assert.Same(services.GetRequiredService<T8StarProvider>(), provider);
        var options = services.GetRequiredService<IOptions<T8StarOptions>>().Value;
        Assert.Equal(BaseUrl, options.BaseUrl);
        Assert.Equal(Key, options.ApiKey);
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void Options_Defaults_AsDocumented()
    {
        var options = new T8StarOptions();

        Assert.Null(options.BaseUrl);
        Assert.Null(options.ApiKey);
        Assert.False(options.IsConfigured);
        Assert.Equal(TimeSpan.FromSeconds(30), options.AttemptTimeout);
        Assert.Equal(T8StarOptions.DefaultAttemptTimeout, options.AttemptTimeout);
        Assert.Equal(2, options.MaxRetries);
        Assert.Equal("Providers:T8Star", T8StarOptions.SectionName);
    }

    [Theory]
    [InlineData("ftp://upstream.test/", null, 2, "BaseUrl")]
    [InlineData("relative/path", null, 2, "BaseUrl")]
    [InlineData("http://upstream.test/?a=b", null, 2, "BaseUrl")]
    [InlineData("http://upstream.test/", "00:00:00", 2, "AttemptTimeout")]
    [InlineData("http://upstream.test/", "01:00:00", 2, "AttemptTimeout")]
    [InlineData("http://upstream.test/", null, -1, "MaxRetries")]
    [InlineData("http://upstream.test/", null, 11, "MaxRetries")]
    public void Options_OutOfRange_FailValidation(string baseUrl, string? attemptTimeout, int maxRetries, string member)
    {
        using var services = new ServiceCollection()
            .AddT8StarProvider(o =>
            {
                o.BaseUrl = new Uri(baseUrl, UriKind.RelativeOrAbsolute);
                o.MaxRetries = maxRetries;
                if (attemptTimeout is not null)
                {
                    o.AttemptTimeout = TimeSpan.Parse(attemptTimeout, System.Globalization.CultureInfo.InvariantCulture);
                }
            })
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<T8StarOptions>>().Value);
        Assert.Contains(member, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_KeyWithSpace_FailsValidationWithoutEchoingKey()
    {
        using var services = new ServiceCollection()
            .AddT8StarProvider(o => o.ApiKey = "secret part")
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<T8StarOptions>>().Value);
        Assert.Contains("Providers__T8Star__ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://upstream.test", null, "http://upstream.test/v2/videos/generations")]
    [InlineData("http://upstream.test/", null, "http://upstream.test/v2/videos/generations")]
    [InlineData("https://upstream.test/relay/api", null, "https://upstream.test/relay/api/v2/videos/generations")]
    [InlineData("https://upstream.test/relay/api/", "abc", "https://upstream.test/relay/api/v2/videos/generations/abc")]
    [InlineData("http://upstream.test/", "veo3:1756693796-YQVHH4A3Lg", "http://upstream.test/v2/videos/generations/veo3%3A1756693796-YQVHH4A3Lg")]
    [InlineData("http://upstream.test/", "a/../b?c#d", "http://upstream.test/v2/videos/generations/a%2F..%2Fb%3Fc%23d")]
    public void Endpoint_BaseAndId_JoinedAndEscaped(string baseUrl, string? id, string expected)
    {
        var uri = T8StarProvider.Endpoint(new T8StarOptions { BaseUrl = new Uri(baseUrl) }, id);

        Assert.Equal(expected, uri.AbsoluteUri);
    }

    [Fact]
    public async Task SubmitAsync_Request_UnifiedFormatBodyAndBearerKey()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, """{"task_id":"t-1"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var result = await client.Provider.SubmitAsync(Submit(images: ["https://img.example/a.png", "data:image/png;base64,iVBO+w/=="]), CancellationToken.None);

        Assert.Equal("t-1", result.UpstreamTaskId);
        var (request, body) = Assert.Single(network.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://upstream.test/v2/videos/generations", request.RequestUri!.AbsoluteUri);
        Assert.Equal(new AuthenticationHeaderValue("Bearer", Key), request.Headers.Authorization);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(body!);
        var root = json.RootElement;
        Assert.Equal("a cat surfing", root.GetProperty("prompt").GetString());
        Assert.Equal("sora-2", root.GetProperty("model").GetString());
        Assert.Equal("16:9", root.GetProperty("aspect_ratio").GetString());
        Assert.True(root.GetProperty("hd").GetBoolean());
        Assert.Equal(JsonValueKind.String, root.GetProperty("duration").ValueKind);
        Assert.Equal("10", root.GetProperty("duration").GetString());
        Assert.Equal(["https://img.example/a.png", "data:image/png;base64,iVBO+w/=="], root.GetProperty("images").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("iVBO+w/==", body, StringComparison.Ordinal); // not escaped to \u002B
    }

    [Fact]
    public async Task SubmitAsync_NoImages_ImagesOmitted()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, """{"task_id":"t-1"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        await client.Provider.SubmitAsync(Submit(), CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(network.Requests).Body!);
        Assert.False(json.RootElement.TryGetProperty("images", out _));
        Assert.False(json.RootElement.TryGetProperty("notify_hook", out _));
    }

    [Fact]
    public async Task SubmitAsync_WithCallbackUrl_SendsItAsNotifyHookAndKeepsItOutOfToString()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, """{"task_id":"t-1"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);
        var hook = new Uri("https://gq.example.com/api/v1/callbacks/t8star/tsk_1/secret-token");
        var request = Submit() with { CallbackUrl = hook };

        await client.Provider.SubmitAsync(request, CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(network.Requests).Body!);
        Assert.Equal(hook.AbsoluteUri, json.RootElement.GetProperty("notify_hook").GetString());
        Assert.DoesNotContain("secret-token", request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_RequestKey_OverridesServerKey()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, """{"task_id":"t-1"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        await client.Provider.SubmitAsync(Submit(apiKey: " user-key "), CancellationToken.None);

        Assert.Equal(new AuthenticationHeaderValue("Bearer", "user-key"), Assert.Single(network.Requests).Request.Headers.Authorization);
    }

    [Fact]
    public async Task SubmitAsync_NoKeyAnywhere_PermanentNamingSettingAndHeader()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, """{"task_id":"t-1"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, apiKey: "  ", network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Permanent, ex.Kind);
        Assert.Contains("no upstream api key is configured", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Providers__T8Star__ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("X-User-Api-Key", ex.Message, StringComparison.Ordinal);
        Assert.Empty(network.Requests);
    }

    [Fact]
    public async Task SubmitAsync_UserKeyWithNewline_PermanentWithoutEchoingKey()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, """{"task_id":"t-1"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(apiKey: "abc\r\nX-Evil: 1"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Permanent, ex.Kind);
        Assert.DoesNotContain("Evil", ex.Message, StringComparison.Ordinal);
        Assert.Empty(network.Requests);
    }

    [Fact]
    public async Task SubmitAsync_NoBaseUrl_PermanentNotConfigured()
    {
        await using var client = T8StarTestClient.Create(baseUrl: null, Key);

        Assert.False(client.Provider.IsConfigured);
        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));
        Assert.Equal(ProviderErrorKind.Permanent, ex.Kind);
        Assert.Contains("Providers__T8Star__BaseUrl", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"task_id":""}""")]
    [InlineData("""{"task_id":null}""")]
    [InlineData("""{"code":"error","message":"upstream busy"}""")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task SubmitAsync_SuccessWithoutTaskId_OutcomeUnknown(string body)
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, body));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.OutcomeUnknown, ex.Kind);
        Assert.Single(network.Requests);
    }

    [Theory]
    [InlineData("""{"task_id":"abc"}""", "abc")]
    [InlineData("""{"task_id":"  abc  "}""", "abc")]
    [InlineData("""{"task_id":12345}""", "12345")]
    [InlineData("""{"code":"success","data":{"task_id":"abc"}}""", "abc")]
    public void TaskId_SubmitAnswers_Read(string body, string expected)
    {
        Assert.Equal(expected, T8StarProvider.TaskId(body));
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, ProviderErrorKind.Permanent)]
    [InlineData(HttpStatusCode.Forbidden, ProviderErrorKind.Permanent)]
    [InlineData(HttpStatusCode.BadRequest, ProviderErrorKind.Permanent)]
    [InlineData(HttpStatusCode.UnprocessableEntity, ProviderErrorKind.Permanent)]
    [InlineData(HttpStatusCode.NotFound, ProviderErrorKind.Permanent)]
    [InlineData(HttpStatusCode.PaymentRequired, ProviderErrorKind.Permanent)]
    [InlineData(HttpStatusCode.Conflict, ProviderErrorKind.Permanent)]
    [InlineData(HttpStatusCode.TooManyRequests, ProviderErrorKind.Transient)]
    [InlineData(HttpStatusCode.RequestTimeout, ProviderErrorKind.OutcomeUnknown)]
    [InlineData(HttpStatusCode.InternalServerError, ProviderErrorKind.OutcomeUnknown)]
    [InlineData(HttpStatusCode.NotImplemented, ProviderErrorKind.OutcomeUnknown)]
    [InlineData(HttpStatusCode.BadGateway, ProviderErrorKind.OutcomeUnknown)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ProviderErrorKind.OutcomeUnknown)]
    [InlineData(HttpStatusCode.GatewayTimeout, ProviderErrorKind.OutcomeUnknown)]
    [InlineData((HttpStatusCode)599, ProviderErrorKind.OutcomeUnknown)]
    [InlineData(HttpStatusCode.MultipleChoices, ProviderErrorKind.OutcomeUnknown)]
    public async Task SubmitAsync_ErrorStatus_Classified(HttpStatusCode code, ProviderErrorKind expected)
    {
        var network = new StubNetwork(_ => Json(code, """{"error":{"message":"upstream says no","type":"x"}}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, o => o.MaxRetries = 0, network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.Equal(expected, ex.Kind);
        Assert.Equal((int)code, ex.StatusCode);
        Assert.Contains("upstream says no", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {(int)code}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_401_MessageSaysKeyRejected()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.Unauthorized, """{"error":{"message":"invalid token"}}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.StartsWith("The upstream rejected the API key (HTTP 401)", ex.Message, StringComparison.Ordinal);
        Assert.Single(network.Requests);
    }

    [Fact]
    public async Task SubmitAsync_UpstreamEchoesKey_KeyRemovedFromMessage()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.Unauthorized, $$"""{"message":"token {{Key}} is not valid"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
        Assert.Contains("token *** is not valid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_429WithLongRetryAfter_TransientWithRetryAfterAndNoInCallWait()
    {
        var network = new StubNetwork(_ =>
        {
            var response = Json(HttpStatusCode.TooManyRequests, """{"message":"slow down"}""");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
            return response;
        });
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        Assert.Single(network.Requests);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public async Task SubmitAsync_ErrorAfterTheRequestArrived_OutcomeUnknownWithExactlyOnePost(int code)
    {
        // A relay may have forwarded the job (and its origin billed a video) before it answered this error.
        var network = new StubNetwork(_ => Json((HttpStatusCode)code, """{"error":{"message":"origin timed out"}}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, o => o.MaxRetries = 3, network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.OutcomeUnknown, ex.Kind);
        Assert.Equal(code, ex.StatusCode);
        Assert.Null(ex.RetryAfter);
        Assert.Single(network.Requests);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Post));
        Assert.StartsWith($"The upstream answered HTTP {code} after receiving the request", ex.Message, StringComparison.Ordinal);
        Assert.Contains("origin timed out", ex.Message, StringComparison.Ordinal);
        Assert.Contains("may have started (and billed) a video", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not submitted again automatically", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_429ThenSuccess_OneCreationAndTheTaskId()
    {
        var created = 0;
        var answers = 0;
        var network = new StubNetwork(_ =>
        {
            if (Interlocked.Increment(ref answers) == 1)
            {
                var limited = Json(HttpStatusCode.TooManyRequests, """{"message":"slow down"}""");
                limited.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
                return limited;
            }

            return Json(HttpStatusCode.OK, $$"""{"task_id":"t-{{Interlocked.Increment(ref created)}}"}""");
        });
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var result = await client.Provider.SubmitAsync(Submit(), CancellationToken.None);

        Assert.Equal("t-1", result.UpstreamTaskId);
        Assert.Equal(1, created);
        Assert.Equal([429, 200], client.Attempts.All.Select(a => a.StatusCode));
    }

    [Fact]
    public async Task SubmitAsync_429WithAbsurdRetryAfter_TransientWithADay()
    {
        var network = new StubNetwork(_ =>
        {
            var response = Json(HttpStatusCode.TooManyRequests, """{"message":"slow down"}""");
            response.Headers.TryAddWithoutValidation("Retry-After", "2000000000");
            return response;
        });
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(Submit(), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Equal(T8StarProvider.MaxUpstreamRetryAfter, ex.RetryAfter);
        Assert.Single(network.Requests);
    }

    [Theory]
    [InlineData("2000000000", 24 * 3600)]
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT", 24 * 3600)]
    [InlineData("86401", 24 * 3600)]
    [InlineData("86400", 24 * 3600)]
    [InlineData("30", 30)]
    [InlineData("0", 0)]
    [InlineData("Sat, 01 Jan 2000 00:00:00 GMT", 0)]
    [InlineData("Sun, 01 Mar 2026 00:10:00 GMT", 600)]
    public void RetryAfter_AnyValue_ClampedToZeroToADay(string header, int expectedSeconds)
    {
        var now = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", header);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), T8StarResilience.RetryAfter(response, now));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("99999999999999")]
    [InlineData("-5")]
    [InlineData("")]
    public void RetryAfter_Unreadable_NullWithoutThrowing(string header)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", header);

        Assert.Null(T8StarResilience.RetryAfter(response, TimeProvider.System));
    }

    [Fact]
    public void MaxUpstreamRetryAfter_IsADay()
    {
        Assert.Equal(TimeSpan.FromHours(24), T8StarProvider.MaxUpstreamRetryAfter);
    }

    [Fact]
    public async Task GetStatusAsync_Request_EscapedIdAndBearerKey()
    {
        var network = new StubNetwork(_ => Json(HttpStatusCode.OK, """{"status":"IN_PROGRESS","progress":"40%"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var status = await client.Provider.GetStatusAsync(new ProviderCallRequest("veo3:17-A", null), CancellationToken.None);

        Assert.Equal(new ProviderStatus(UpstreamState.Running, 40, null, null), status);
        var (request, _) = Assert.Single(network.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("http://upstream.test/v2/videos/generations/veo3%3A17-A", request.RequestUri!.AbsoluteUri);
        Assert.Equal(new AuthenticationHeaderValue("Bearer", Key), request.Headers.Authorization);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, ProviderErrorKind.Permanent, 1)]
    [InlineData(HttpStatusCode.Forbidden, ProviderErrorKind.Permanent, 1)]
    [InlineData(HttpStatusCode.BadRequest, ProviderErrorKind.Permanent, 1)]
    [InlineData(HttpStatusCode.UnprocessableEntity, ProviderErrorKind.Permanent, 1)]
    [InlineData(HttpStatusCode.NotFound, ProviderErrorKind.Permanent, 1)]
    [InlineData(HttpStatusCode.RequestTimeout, ProviderErrorKind.Transient, 3)]
    [InlineData(HttpStatusCode.TooManyRequests, ProviderErrorKind.Transient, 3)]
    [InlineData(HttpStatusCode.InternalServerError, ProviderErrorKind.Transient, 3)]
    [InlineData(HttpStatusCode.BadGateway, ProviderErrorKind.Transient, 3)]
    public async Task GetStatusAsync_ErrorStatus_ClassifiedAfterRetries(HttpStatusCode code, ProviderErrorKind expected, int attempts)
    {
        var network = new StubNetwork(_ => Json(code, """{"error":"nope"}"""));
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.GetStatusAsync(new ProviderCallRequest("t1", null), CancellationToken.None));

        Assert.Equal(expected, ex.Kind);
        Assert.Equal(attempts, network.Requests.Count);
    }

    [Fact]
    public async Task GetStatusAsync_HtmlBody_TransientUnreadable()
    {
        var network = new StubNetwork(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>maintenance</html>") });
        await using var client = T8StarTestClient.Create(BaseUrl, Key, network: network);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.GetStatusAsync(new ProviderCallRequest("t1", null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Contains("unreadable status answer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatusAsync_EmptyId_Permanent()
    {
        await using var client = T8StarTestClient.Create(BaseUrl, Key);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.GetStatusAsync(new ProviderCallRequest(" ", null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Permanent, ex.Kind);
    }

    [Theory]
    [InlineData("""{"error":{"message":"bad prompt","type":"invalid_request"}}""", "bad prompt")]
    [InlineData("""{"error":"bad prompt"}""", "bad prompt")]
    [InlineData("""{"message":"bad prompt"}""", "bad prompt")]
    [InlineData("""{"code":1,"msg":"bad prompt"}""", "bad prompt")]
    [InlineData("""{"detail":"bad prompt"}""", "bad prompt")]
    [InlineData("plain text\r\n  error", "plain text error")]
    [InlineData("""{"unrelated":true}""", """{"unrelated":true}""")]
    public void UpstreamMessage_KnownShapes_Extracted(string body, string expected)
    {
        Assert.Equal(expected, T8StarProvider.UpstreamMessage(body, Key));
    }

    [Fact]
    public void UpstreamMessage_LongBody_TruncatedTo500()
    {
        var message = T8StarProvider.UpstreamMessage(new string('x', 5000), Key)!;

        Assert.Equal(T8StarProvider.MaxUpstreamMessageLength + 1, message.Length);
    }

    [Theory]
    [InlineData("POST", 429, true)]
    [InlineData("POST", 502, false)]
    [InlineData("POST", 503, false)]
    [InlineData("POST", 504, false)]
    [InlineData("POST", 500, false)]
    [InlineData("POST", 501, false)]
    [InlineData("POST", 408, false)]
    [InlineData("POST", 400, false)]
    [InlineData("POST", 401, false)]
    [InlineData("POST", 200, false)]
    [InlineData("GET", 408, true)]
    [InlineData("GET", 429, true)]
    [InlineData("GET", 500, true)]
    [InlineData("GET", 502, true)]
    [InlineData("GET", 404, false)]
    [InlineData("GET", 401, false)]
    [InlineData("GET", 200, false)]
    public void ShouldRetry_Status_ByMethod(string method, int code, bool expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)code);

        Assert.Equal(expected, T8StarResilience.ShouldRetry(Outcome.FromResult(response), new HttpMethod(method), TimeProvider.System));
    }

    [Theory]
    [InlineData("POST", 1, true)]
    [InlineData("POST", 5, true)]
    [InlineData("POST", 6, false)]
    [InlineData("GET", 60, false)]
    public void ShouldRetry_RetryAfter_OnlyShortWaitsInCall(string method, int seconds, bool expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, T8StarResilience.ShouldRetry(Outcome.FromResult(response), new HttpMethod(method), TimeProvider.System));
    }

    public static TheoryData<string, Exception, bool> Exceptions => new()
    {
        { "POST", new HttpRequestException(HttpRequestError.ConnectionError, "refused"), true },
        { "POST", new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"), true },
        { "POST", new HttpRequestException(HttpRequestError.SecureConnectionError, "tls"), true },
        { "POST", new HttpRequestException(HttpRequestError.ProxyTunnelError, "proxy"), true },

        // Only the handler's own classification counts: these socket errors can follow a request that was sent.
        { "POST", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)), false },
        { "POST", new HttpRequestException("unreachable", new IOException("x", new SocketException((int)SocketError.HostUnreachable))), false },
        { "POST", new HttpRequestException("unreachable", new SocketException((int)SocketError.NetworkUnreachable)), false },
        { "POST", new HttpRequestException(HttpRequestError.Unknown, "x", new SocketException((int)SocketError.HostUnreachable)), false },
        { "POST", new HttpRequestException(HttpRequestError.ResponseEnded, "dropped"), false },
        { "POST", new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), false },
        { "POST", new HttpRequestException("failed"), false },
        { "POST", new TimeoutRejectedException(), false },
        { "POST", new IOException("broken pipe"), false },
        { "POST", new OperationCanceledException(), false },
        { "GET", new HttpRequestException(HttpRequestError.ResponseEnded, "dropped"), true },
        { "GET", new HttpRequestException(HttpRequestError.ConnectionError, "refused"), true },
        { "GET", new TimeoutRejectedException(), true },
        { "GET", new IOException("broken pipe"), true },
        { "GET", new OperationCanceledException(), false },
        { "GET", new InvalidOperationException("bug"), false },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void ShouldRetry_Exception_OnlyUnsentPostsRepeated(string method, Exception exception, bool expected)
    {
        Assert.Equal(expected, T8StarResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(exception), new HttpMethod(method), TimeProvider.System));
    }

    [Fact]
    public void ShouldRetry_UnknownMethod_TreatedAsSubmit()
    {
        Assert.False(T8StarResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), null, TimeProvider.System));
    }
}
