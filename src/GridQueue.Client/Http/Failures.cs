using System.Net;

namespace GridQueue.Client.Http;

/// <summary>
/// The client's own failures (no usable answer). Messages name the server by scheme, host, port and path only:
/// never the query or user info of an address, never a header, so a token cannot leak into a log of the message.
/// </summary>
internal static class Failures
{
    public static GridQueueException ConnectionFailed(Uri? requestUri, Exception inner) =>
        new(GridQueueErrorCodes.ConnectionFailed, $"Could not reach the GridQueue server at {Describe(requestUri)}: {inner.Message}", innerException: inner);

    public static GridQueueException TimedOut(Uri? requestUri, Exception inner) =>
        new(GridQueueErrorCodes.ConnectionFailed, $"The GridQueue server at {Describe(requestUri)} did not answer in time.", innerException: inner);

    public static GridQueueException StreamEnded(Uri? requestUri) =>
        new(GridQueueErrorCodes.ConnectionFailed, $"The server closed the event stream {Describe(requestUri)}.");

    public static GridQueueException StreamIdle(Uri? requestUri, TimeSpan idle, Exception inner) =>
        new(
            GridQueueErrorCodes.ConnectionFailed,
            $"The event stream {Describe(requestUri)} sent nothing, not even a ping, for {idle.TotalSeconds:0} s; the connection is taken as lost.",
            innerException: inner);

    public static GridQueueException InvalidResponse(HttpResponseMessage response, string what, Exception? inner = null) =>
        new(
            GridQueueErrorCodes.InvalidResponse,
            $"The answer to {response.RequestMessage?.Method} {Describe(response.RequestMessage?.RequestUri)} ({(int)response.StatusCode} {response.ReasonPhrase}, " +
            $"{response.Content.Headers.ContentType?.MediaType ?? "no content type"}) is not the GridQueue API's: {what} Is the server address right?",
            response.StatusCode,
            retryAfter: RetryAfter(response),
            innerException: inner);

    public static GridQueueException InvalidEvent(Uri? requestUri, string what, Exception? inner = null) =>
        new(GridQueueErrorCodes.InvalidResponse, $"The event stream {Describe(requestUri)} is not the GridQueue API's: {what}", innerException: inner);

    /// <summary>The Retry-After header as a delay, from either of its forms (seconds or a date).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var left = date - DateTimeOffset.UtcNow;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>
    /// A failure of the connection itself. HttpClient mostly wraps these in HttpRequestException, but not always: a
    /// connection reset just after it was made can surface as a bare SocketException (seen in this client's tests).
    /// </summary>
    public static bool IsTransport(Exception e) => e is HttpRequestException or IOException or System.Net.Sockets.SocketException;

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    private static string Describe(Uri? uri) =>
        uri is null ? "(unknown address)" : uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
}
