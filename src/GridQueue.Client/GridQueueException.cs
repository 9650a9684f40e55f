using System.Net;

namespace GridQueue.Client;

/// <summary>
/// A call to the server failed: the server answered with the contract's error envelope (<see cref="Code"/> is the
/// contract's code), or it did not answer usably (<see cref="GridQueueErrorCodes.ConnectionFailed"/>,
/// <see cref="GridQueueErrorCodes.InvalidResponse"/>). <see cref="Exception.Message"/> is text for a person.
/// </summary>
public sealed class GridQueueException : Exception
{
    private static readonly IReadOnlyDictionary<string, string> NoDetails = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>An exception with the given code; public so code built on the client can make one (e.g. in its tests).</summary>
    /// <param name="code">One of <see cref="GridQueueErrorCodes"/> (or a code a newer server sends).</param>
    /// <param name="message">Text for a person.</param>
    /// <param name="statusCode">The HTTP status, or null when the server never answered.</param>
    /// <param name="details">Field name → message, for validation errors.</param>
    /// <param name="retryAfter">The server's Retry-After, when it sent one.</param>
    /// <param name="innerException">The transport exception, when any.</param>
    public GridQueueException(
        string code,
        string message,
        HttpStatusCode? statusCode = null,
        IReadOnlyDictionary<string, string>? details = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
        StatusCode = statusCode;
        Details = details ?? NoDetails;
        RetryAfter = retryAfter;
    }

    /// <summary>
    /// The contract's error code (VALIDATION_ERROR, BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, PAYLOAD_TOO_LARGE,
    /// RATE_LIMITED, UPSTREAM_ERROR, UNAVAILABLE, INTERNAL), or CONNECTION_FAILED / INVALID_RESPONSE; see
    /// <see cref="GridQueueErrorCodes"/>.
    /// </summary>
    public string Code { get; }

    /// <summary>The HTTP status of the answer; null for CONNECTION_FAILED.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The envelope's details (field name → message); empty when there are none.</summary>
    public IReadOnlyDictionary<string, string> Details { get; }

    /// <summary>The server's Retry-After (sent with 429 and 503), when given.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// True for a failure worth trying again later: no answer, a 5xx (the server or a proxy in front of it) or a 429.
    /// A 4xx other than 429 will fail the same way again.
    /// </summary>
    public bool IsTransient => StatusCode is null || (int)StatusCode >= 500 || StatusCode == HttpStatusCode.TooManyRequests;
}
