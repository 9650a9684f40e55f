using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Webhooks;

/// <summary>The checks across <see cref="WebhookOptions"/>' fields, at start-up, with messages naming the setting to fix.</summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Secret) && WebhookSecret.Parse(options.Secret).Problem is { } problem)
        {
            failures.Add(problem);
        }

        var invalid = WebhookDestinations.ParseAllowList(options.AllowedHosts).Invalid;
        if (invalid.Count > 0)
        {
            failures.Add($"Webhooks:AllowedHosts holds entries that are neither host names, IP addresses nor CIDR ranges: {string.Join(", ", invalid)}.");
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultUrl))
        {
            if (string.IsNullOrWhiteSpace(options.Secret))
            {
                failures.Add("Webhooks:DefaultUrl is set but Webhooks:Secret is not: deliveries must be signed (whsec_ followed by 24–64 bytes in base64).");
            }

            if (new WebhookDestinations(Microsoft.Extensions.Options.Options.Create(options)).Refusal(options.DefaultUrl.Trim()) is { } refusal)
            {
                failures.Add($"Webhooks:DefaultUrl: {refusal.Replace("callback_url", "the URL", StringComparison.Ordinal)}");
            }
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"Webhooks:RetryMaxDelay ({options.RetryMaxDelay}) must not be shorter than Webhooks:RetryBaseDelay ({options.RetryBaseDelay}).");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
