namespace GridQueue.Tasks.Providers;

/// <summary>How a failed provider call may be followed up.</summary>
public enum ProviderErrorKind
{
    /// <summary>Nothing happened upstream, or a repeat is harmless (429, 5xx, refused connection, a status time-out): try again later.</summary>
    Transient,

    /// <summary>Trying again cannot help (401/403: bad key; 400/422: bad request; 404 on a status): the task fails with the message.</summary>
    Permanent,

    /// <summary>
    /// A submit may or may not have reached the upstream (time-out or connection lost after the request was sent).
    /// Repeating it without an idempotency key could make and bill a second video.
    /// </summary>
    OutcomeUnknown,
}

/// <summary>A provider call failed. The message is for a person and never contains an API key.</summary>
public sealed class ProviderException : Exception
{
    public ProviderException(ProviderErrorKind kind, string message, int? statusCode = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public ProviderException()
        : this(ProviderErrorKind.Transient, "The provider call failed.")
    {
    }

    public ProviderException(string message)
        : this(ProviderErrorKind.Transient, message)
    {
    }

    public ProviderException(string message, Exception innerException)
        : this(ProviderErrorKind.Transient, message, innerException: innerException)
    {
    }

    public ProviderErrorKind Kind { get; }

    /// <summary>The upstream's HTTP status, when it answered.</summary>
    public int? StatusCode { get; }

    /// <summary>The upstream's Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }
}
