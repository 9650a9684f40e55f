namespace GridQueue.Tasks.Providers;

/// <summary>How a failed provider call may be followed up.</summary>
public enum ProviderErrorKind
{
    /// <summary>
    /// Nothing happened upstream, or a repeat is harmless: try again later. For a submit to an upstream without an
    /// idempotency key that means only a request that provably never reached it (refused or no connection, name not
    /// resolved) or one it refused before doing work (429); for a status query also 5xx, 408 and time-outs.
    /// </summary>
    Transient,

    /// <summary>Trying again cannot help (401/403: bad key; 400/422: bad request; 404 on a status): the task fails with the message.</summary>
    Permanent,

    /// <summary>
    /// A submit may or may not have made a video upstream (time-out or connection lost after the request was sent, or,
    /// for an upstream without an idempotency key, a 5xx or other error answer that came after it received the
    /// request). Repeating it without an idempotency key could make and bill a second video.
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
