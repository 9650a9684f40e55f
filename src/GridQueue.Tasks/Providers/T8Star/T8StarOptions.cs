using System.ComponentModel.DataAnnotations;

namespace GridQueue.Tasks.Providers.T8Star;

/// <summary>The T8Star unified-format upstream (configuration section "Providers:T8Star").</summary>
public sealed class T8StarOptions : IValidatableObject
{
    public const string SectionName = "Providers:T8Star";

    /// <summary>The environment variable that sets <see cref="ApiKey"/>; named in messages a person can act on.</summary>
    public const string ApiKeyEnvironmentVariable = "Providers__T8Star__ApiKey";

    /// <summary>The request header through which a user sends an own upstream key.</summary>
    public const string UserApiKeyHeader = "X-User-Api-Key";

    public const int DefaultMaxRetries = 2;
    public const int MaxMaxRetries = 10;
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Root of the upstream API (the part before "/v2/..."). Unset: the provider is not offered.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The server-wide upstream key. A request's own key overrides it. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one HTTP attempt may take before it is abandoned.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan AttemptTimeout { get; set; } = DefaultAttemptTimeout;

    /// <summary>
    /// Quick retries inside one call for transient answers (0 turns them off). A submit is only retried when the
    /// upstream cannot have started a video (see <see cref="T8StarResilience"/>).
    /// </summary>
    [Range(0, MaxMaxRetries)]
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>True when a base URL is set, that is when the provider should be offered.</summary>
    public bool IsConfigured => BaseUrl is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is { } url)
        {
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                yield return new ValidationResult(
                    $"{SectionName}:BaseUrl must be an absolute http or https URL, the part before '/v2/videos/generations' (got '{url}'); leave it unset to turn the provider off.",
                    [nameof(BaseUrl)]);
            }
            else if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
            {
                yield return new ValidationResult(
                    $"{SectionName}:BaseUrl must not have a query or fragment (got '{url}').",
                    [nameof(BaseUrl)]);
            }
        }

        if (ApiKey is { Length: > 0 } key && !string.IsNullOrWhiteSpace(key) && !T8StarApiKey.IsSendable(key.Trim()))
        {
            // The key itself is never echoed.
            yield return new ValidationResult(
                $"{SectionName}:ApiKey ({ApiKeyEnvironmentVariable}) must be printable ASCII without spaces.",
                [nameof(ApiKey)]);
        }
    }
}
