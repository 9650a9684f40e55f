using System.ComponentModel.DataAnnotations;

namespace GridQueue.Tasks.Callbacks;

/// <summary>
/// Where the outside world reaches this server (configuration section "Server"), for upstream callbacks. Unset: no
/// callback URL is sent and tasks are found finished by polling alone.
/// </summary>
public sealed class UpstreamCallbackOptions : IValidatableObject
{
    public const string SectionName = "Server";

    /// <summary>The environment variable that sets <see cref="PublicUrl"/>; named in messages a person can act on.</summary>
    public const string PublicUrlEnvironmentVariable = "Server__PublicUrl";

    /// <summary>
    /// The base URL upstreams call back on, e.g. <c>https://gridqueue.example.com</c> or
    /// <c>https://example.com/gridqueue/</c> behind a proxy that strips the prefix. Kept as text so a malformed value
    /// gets this class's message rather than the configuration binder's.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>True when callbacks are on.</summary>
    public bool Enabled => BaseUri is not null;

    /// <summary>The parsed <see cref="PublicUrl"/> with a trailing slash, or null when unset or not valid.</summary>
    public Uri? BaseUri =>
        !string.IsNullOrWhiteSpace(PublicUrl) && Uri.TryCreate(PublicUrl.Trim(), UriKind.Absolute, out var url) && IsUsable(url)
            ? new Uri(url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/")
            : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(PublicUrl) || BaseUri is not null)
        {
            yield break;
        }

        yield return new ValidationResult(
            $"{PublicUrlEnvironmentVariable} must be an absolute http or https URL without query or fragment, the address " +
            $"upstreams reach this server at, e.g. https://gridqueue.example.com (got '{PublicUrl}'); leave it unset to turn upstream callbacks off.",
            [nameof(PublicUrl)]);
    }

    private static bool IsUsable(Uri url) =>
        (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
        && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.Fragment) && !string.IsNullOrEmpty(url.Host);
}
