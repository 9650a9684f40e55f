using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using GridQueue.Server.Testing;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Tests;

/// <summary>
/// Api__MaxStreamsPerUser: one user holds at most that many event streams at once; the next is 429 RATE_LIMITED with
/// Retry-After, a closed stream frees its place, other users are not affected.
/// </summary>
public sealed class EventStreamLimitTests
{
    private const int DefaultCap = 20;

    [Fact]
    public async Task Events_PastTheDefaultCap_Answers429UntilAStreamCloses()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Api:SsePingInterval"] = "00:00:00.200" });
        var alice = await server.TokenAsync("alice");
        var open = new List<OpenStream>();
        try
        {
            for (var i = 0; i < DefaultCap; i++)
            {
                open.Add(await OpenStream.ConnectAsync(server.Address, alice));
            }

            var refused = await TryOpenAsync(server, alice);
            var error = ErrorEnvelope.AssertError(refused, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
            Assert.Contains($"{DefaultCap} event streams", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);

            // Another user has places of their own.
            await using (await OpenStream.ConnectAsync(server.Address, await server.TokenAsync("bob")))
            {
            }

            // The client goes away: the server notices and gives the place back.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            open.Add(await ConnectWhenFreedAsync(server, alice));

            ErrorEnvelope.AssertError(await TryOpenAsync(server, alice), HttpStatusCode.TooManyRequests, "RATE_LIMITED");
            server.AssertNoErrorsLogged();
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Events_CapOfZero_SetsNoCap()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Api:MaxStreamsPerUser"] = "0" });
        var alice = await server.TokenAsync("alice");
        var open = new List<OpenStream>();
        try
        {
            for (var i = 0; i < DefaultCap + 5; i++)
            {
                open.Add(await OpenStream.ConnectAsync(server.Address, alice));
            }
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }

        server.AssertNoErrorsLogged();
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("100001")]
    public async Task Start_MaxStreamsPerUserOutOfRange_FailsNamingTheSetting(string value)
    {
        var folder = Directory.CreateTempSubdirectory("gq-stream-cap-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(
                () => RunningServer.StartAsync(new Dictionary<string, string?> { ["Api:MaxStreamsPerUser"] = value }, folder));
            Assert.Contains("Api__MaxStreamsPerUser", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<RawResponse> TryOpenAsync(RunningServer server, string token)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/video/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            throw new Xunit.Sdk.XunitException("The stream was opened although the user is at the cap.");
        }

        return new RawResponse(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, response.Headers, response.Content.Headers);
    }

    /// <summary>Opens a stream once the server has noticed a closed one (it learns of a client leaving asynchronously).</summary>
    private static async Task<OpenStream> ConnectWhenFreedAsync(RunningServer server, string token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var attempt = await OpenStream.TryConnectAsync(server.Address, token);
            if (attempt is not null)
            {
                return attempt;
            }

            Assert.True(DateTime.UtcNow < deadline, "The closed stream's place was not given back within 15 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>An open event stream whose opening block (retry, id, blank line) has been read.</summary>
    private sealed class OpenStream : IAsyncDisposable
    {
        private readonly HttpClient _client;
        private readonly HttpResponseMessage _response;

        private OpenStream(HttpClient client, HttpResponseMessage response)
        {
            _client = client;
            _response = response;
        }

        public static async Task<OpenStream> ConnectAsync(Uri server, string token) =>
            await TryConnectAsync(server, token) ?? throw new Xunit.Sdk.XunitException("The stream was refused with 429.");

        /// <summary>Null when refused with 429; any other answer than a stream fails the test.</summary>
        public static async Task<OpenStream?> TryConnectAsync(Uri server, string token)
        {
            var client = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/video/events");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync();
                var status = response.StatusCode;
                response.Dispose();
                client.Dispose();
                Assert.True(status == HttpStatusCode.TooManyRequests, $"Expected a stream or 429, got {(int)status}: {body}");
                return null;
            }

            var stream = new OpenStream(client, response);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            Assert.Equal("retry: 2000", await reader.ReadLineAsync(timeout.Token));
            var id = await reader.ReadLineAsync(timeout.Token);
            Assert.True(id is not null && id.StartsWith("id: ", StringComparison.Ordinal) && long.TryParse(id[4..], CultureInfo.InvariantCulture, out _), $"opening id line: {id}");
            Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
            return stream;
        }

        public ValueTask DisposeAsync()
        {
            // Disposing a response whose body was not read to the end closes its connection.
            _response.Dispose();
            _client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
