namespace GridQueue.Client;

/// <summary>The values of <see cref="GridQueueException.Code"/>: the contract's error codes and the client's own two.</summary>
public static class GridQueueErrorCodes
{
    /// <summary>400: a field is missing, of the wrong type or out of range; see <see cref="GridQueueException.Details"/>.</summary>
    public const string ValidationError = "VALIDATION_ERROR";

    /// <summary>400: the action is not allowed in the task's current status.</summary>
    public const string BadRequest = "BAD_REQUEST";

    /// <summary>401: no token, or a token that does not verify.</summary>
    public const string Unauthorized = "UNAUTHORIZED";

    /// <summary>404: no such task (or another user's).</summary>
    public const string NotFound = "NOT_FOUND";

    /// <summary>413: the request body is over the server's limit.</summary>
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";

    /// <summary>429: too many requests; see <see cref="GridQueueException.RetryAfter"/>.</summary>
    public const string RateLimited = "RATE_LIMITED";

    /// <summary>502: an upstream failure surfaced synchronously.</summary>
    public const string UpstreamError = "UPSTREAM_ERROR";

    /// <summary>503: the server's storage is unreachable; see <see cref="GridQueueException.RetryAfter"/>.</summary>
    public const string Unavailable = "UNAVAILABLE";

    /// <summary>500: an unexpected server error; the message carries a correlation id.</summary>
    public const string Internal = "INTERNAL";

    /// <summary>The client's own: no answer from the server (no connection, connection dropped, time-out).</summary>
    public const string ConnectionFailed = "CONNECTION_FAILED";

    /// <summary>The client's own: an answer that is not the contract's envelope (e.g. a proxy's HTML page, a wrong address).</summary>
    public const string InvalidResponse = "INVALID_RESPONSE";
}
