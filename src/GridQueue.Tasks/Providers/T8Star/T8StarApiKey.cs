namespace GridQueue.Tasks.Providers.T8Star;

/// <summary>Chooses the key for a call and keeps it out of messages.</summary>
internal static class T8StarApiKey
{
    /// <summary>
    /// The request's own key when it has one, otherwise the server's. Fails Permanent (without echoing any key)
    /// when there is none or it cannot be sent in a header.
    /// </summary>
    public static string Resolve(string? requestKey, T8StarOptions options)
    {
        if (!string.IsNullOrWhiteSpace(requestKey))
        {
            var key = requestKey.Trim();
            return IsSendable(key)
                ? key
                : throw new ProviderException(
                    ProviderErrorKind.Permanent,
                    $"The API key sent in the {T8StarOptions.UserApiKeyHeader} header cannot be used: it must be printable ASCII without spaces.");
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            var key = options.ApiKey.Trim();
            return IsSendable(key)
                ? key
                : throw new ProviderException(
                    ProviderErrorKind.Permanent,
                    $"The server's upstream API key ({T8StarOptions.ApiKeyEnvironmentVariable}) cannot be used: it must be printable ASCII without spaces.");
        }

        throw new ProviderException(
            ProviderErrorKind.Permanent,
            $"No upstream API key is configured for provider '{T8StarProvider.ProviderName}': set {T8StarOptions.ApiKeyEnvironmentVariable} on the server, or send your own key in the {T8StarOptions.UserApiKeyHeader} header.");
    }

    /// <summary>True when every character is visible ASCII, so the key fits a header and cannot split it.</summary>
    public static bool IsSendable(string key)
    {
        if (key.Length == 0)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Removes the key from text the upstream sent (some services quote the key they refused).</summary>
    public static string Redact(string text, string key) =>
        key.Length == 0 ? text : text.Replace(key, "***", StringComparison.Ordinal);
}
