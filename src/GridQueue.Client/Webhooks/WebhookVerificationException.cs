namespace GridQueue.Client.Webhooks;

/// <summary>A webhook request did not verify: it is not from the server (or was changed, or is a replay). Answer it with 400.</summary>
public sealed class WebhookVerificationException : Exception
{
    /// <summary>An exception saying why the request was rejected.</summary>
    public WebhookVerificationException(string message)
        : base(message)
    {
    }

    /// <summary>An exception without a reason.</summary>
    public WebhookVerificationException()
        : base("The webhook did not verify.")
    {
    }

    /// <summary>An exception with a reason and a cause.</summary>
    public WebhookVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
