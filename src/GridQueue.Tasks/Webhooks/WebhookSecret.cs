namespace GridQueue.Tasks.Webhooks;

/// <summary>The Standard Webhooks secret format: <c>whsec_</c> then the key bytes in base64.</summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;

    /// <summary>The HMAC key of <paramref name="secret"/>, or null with the reason it is not a usable secret.</summary>
    public static (byte[]? Key, string? Problem) Parse(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return (null, "Webhooks:Secret is not set.");
        }

        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (null, $"Webhooks:Secret must start with \"{Prefix}\" followed by the key in base64.");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(secret[Prefix.Length..]);
        }
        catch (FormatException)
        {
            return (null, $"Webhooks:Secret: the part after \"{Prefix}\" is not valid base64.");
        }

        return key.Length is < MinKeyBytes or > MaxKeyBytes
            ? (null, $"Webhooks:Secret must hold {MinKeyBytes}–{MaxKeyBytes} key bytes (it holds {key.Length}); make one with: openssl rand -base64 32.")
            : (key, null);
    }
}
