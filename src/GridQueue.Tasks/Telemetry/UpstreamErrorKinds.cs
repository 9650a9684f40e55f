using GridQueue.Tasks.Providers;
using Polly.Timeout;

namespace GridQueue.Tasks.Telemetry;

/// <summary>
/// The <c>gridqueue.error.kind</c> of an upstream error: what an operator acts on, finer than
/// <see cref="ProviderErrorKind"/> (which says only what the task may do next).
/// </summary>
public static class UpstreamErrorKinds
{
    /// <summary>A submit that may have made (and billed) a video: never repeated without an idempotency key.</summary>
    public const string UnknownOutcome = "unknown_outcome";

    /// <summary>429: the upstream limits the request rate.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The upstream refused for good (bad key, bad request, unknown task).</summary>
    public const string Refused = "refused";

    /// <summary>No answer within the time limit, or 408.</summary>
    public const string Timeout = "timeout";

    /// <summary>No answer: the connection could not be made, or was lost (a status query, safe to repeat).</summary>
    public const string ConnectionFailed = "connection_failed";

    /// <summary>A 5xx (or other unexpected) answer to a call that may be repeated (a status query).</summary>
    public const string ServerError = "server_error";

    /// <summary>The upstream answered normally that the video failed (or succeeded without a video).</summary>
    public const string VideoFailed = "video_failed";

    public static string Of(ProviderException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            { Kind: ProviderErrorKind.OutcomeUnknown } => UnknownOutcome,
            { StatusCode: 429 } => RateLimited,
            { Kind: ProviderErrorKind.Permanent } => Refused,
            { StatusCode: 408 } => Timeout,
            { StatusCode: not null } => ServerError,
            _ when IsTimeout(exception.InnerException) => Timeout,
            _ => ConnectionFailed,
        };
    }

    private static bool IsTimeout(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutRejectedException or TimeoutException or OperationCanceledException)
            {
                return true;
            }
        }

        return false;
    }
}
