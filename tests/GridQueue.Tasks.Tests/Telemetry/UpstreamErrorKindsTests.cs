using System.Net;
using System.Text;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Telemetry;
using GridQueue.Tasks.Tests.Providers.T8Star;
using Xunit;

namespace GridQueue.Tasks.Tests.Telemetry;

/// <summary>The error kind counted for what the real t8star provider throws, for each way an upstream call can fail.</summary>
public sealed class UpstreamErrorKindsTests
{
    private static readonly Uri BaseUrl = new("http://upstream.test/");

    public static TheoryData<bool, Func<HttpResponseMessage>, string> Failures => new()
    {
        { true, Answer(HttpStatusCode.Unauthorized), UpstreamErrorKinds.Refused },
        { true, Answer(HttpStatusCode.BadRequest), UpstreamErrorKinds.Refused },
        { true, Answer(HttpStatusCode.TooManyRequests), UpstreamErrorKinds.RateLimited },
        { true, Answer(HttpStatusCode.BadGateway), UpstreamErrorKinds.UnknownOutcome },
        { true, () => throw new HttpRequestException(HttpRequestError.ResponseEnded, "dropped"), UpstreamErrorKinds.UnknownOutcome },
        { true, () => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"), UpstreamErrorKinds.ConnectionFailed },
        { false, Answer(HttpStatusCode.NotFound), UpstreamErrorKinds.Refused },
        { false, Answer(HttpStatusCode.TooManyRequests), UpstreamErrorKinds.RateLimited },
        { false, Answer(HttpStatusCode.InternalServerError), UpstreamErrorKinds.ServerError },
        { false, Answer(HttpStatusCode.RequestTimeout), UpstreamErrorKinds.Timeout },
        { false, () => throw new TaskCanceledException("HttpClient.Timeout elapsed", new TimeoutException()), UpstreamErrorKinds.Timeout },
        { false, () => throw new HttpRequestException(HttpRequestError.ResponseEnded, "dropped"), UpstreamErrorKinds.ConnectionFailed },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Of_WhatTheProviderThrows_NamesTheKind(bool submit, Func<HttpResponseMessage> network, string expected)
    {
        await using var client = T8StarTestClient.Create(BaseUrl, "sk-test-0123456789", o => o.MaxRetries = 0, new StubNetwork(_ => network()));

        var e = await Assert.ThrowsAsync<ProviderException>(() => submit
            ? client.Provider.SubmitAsync(new ProviderSubmitRequest(new VideoSpec("sora-2", "a kite", "16:9", 10, false, []), "idem-1", null), CancellationToken.None)
            : client.Provider.GetStatusAsync(new ProviderCallRequest("t1", null), CancellationToken.None));

        Assert.Equal(expected, UpstreamErrorKinds.Of(e));
    }

    private static Func<HttpResponseMessage> Answer(HttpStatusCode code) =>
        () => new HttpResponseMessage(code) { Content = new StringContent("""{"error":{"message":"no"}}""", Encoding.UTF8, "application/json") };
}
