using System.Globalization;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Webhooks;

namespace GridQueue.Tasks.Service;

/// <summary>
/// The field rules of a generate request. Every failing field gets one message; nothing is stored unless there
/// are none.
/// </summary>
public static class GenerateTaskValidator
{
    /// <summary>The request with defaults applied, or the field errors (field name → message).</summary>
    /// <param name="webhooks">Where callbacks may go; without it a callback_url is refused.</param>
    public static (ValidGenerateRequest? Request, Dictionary<string, string> Errors) Validate(
        GenerateTaskCommand command, ProviderCatalog providers, WebhookDestinations? webhooks = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(providers);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);

        var provider = command.Provider ?? providers.DefaultName;
        if (providers.Find(provider) is null)
        {
            errors["provider"] = $"Unknown provider '{Shorten(provider)}'. Configured providers: {string.Join(", ", providers.Names)}.";
        }

        var prompt = command.Prompt?.Trim();
        if (string.IsNullOrEmpty(prompt))
        {
            errors["prompt"] = "Prompt is required and must not be blank.";
        }
        else if (prompt.Length > TaskLimits.PromptMaxLength)
        {
            errors["prompt"] = $"Prompt must be at most {TaskLimits.PromptMaxLength} characters after trimming (it has {prompt.Length}).";
        }

        var model = command.Model;
        if (string.IsNullOrWhiteSpace(model))
        {
            errors["model"] = "Model is required, e.g. \"sora-2\".";
        }
        else if (model.Length > TaskLimits.ModelMaxLength)
        {
            errors["model"] = $"Model must be at most {TaskLimits.ModelMaxLength} characters.";
        }

        var aspectRatio = command.AspectRatio ?? TaskLimits.DefaultAspectRatio;
        if (!TaskLimits.AspectRatios.Contains(aspectRatio))
        {
            errors["aspect_ratio"] = $"Aspect ratio must be one of {string.Join(", ", TaskLimits.AspectRatios)}.";
        }

        var duration = command.Duration ?? TaskLimits.DefaultDuration;
        if (duration is < TaskLimits.DurationMin or > TaskLimits.DurationMax)
        {
            errors["duration"] = $"Duration must be between {TaskLimits.DurationMin} and {TaskLimits.DurationMax} seconds.";
        }

        var images = command.Images ?? [];
        if (images.Count > TaskLimits.MaxImages)
        {
            errors["images"] = $"At most {TaskLimits.MaxImages} images are accepted (got {images.Count}).";
        }
        else
        {
            // Each image is its own field (images[0], images[1], ...), so a client can show which one is wrong.
            long total = 0;
            for (var i = 0; i < images.Count; i++)
            {
                total += images[i].Length;
                if (ImageProblem(images[i], i + 1) is { } problem)
                {
                    errors[string.Create(CultureInfo.InvariantCulture, $"images[{i}]")] = problem;
                }
            }

            if (total > TaskLimits.MaxImagesTotalChars)
            {
                errors["images"] = $"All images of one request together must be at most {TaskLimits.MaxImagesTotalChars} characters (got {total}).";
            }
        }

        if (command.CallbackUrl is { } callbackUrl)
        {
            var refusal = webhooks is not { Enabled: true }
                ? "Webhooks are not enabled on this server (Webhooks__Secret is not set), so callback_url cannot be used."
                : webhooks.Refusal(callbackUrl);
            if (refusal is not null)
            {
                errors["callback_url"] = refusal;
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ValidGenerateRequest(provider, model!, prompt!, aspectRatio, duration, command.Hd ?? false, images, command.CallbackUrl), errors);
    }

    /// <summary>Why one image is refused, or null. The size is checked first: a huge value is not parsed.</summary>
    private static string? ImageProblem(string value, int number)
    {
        var notAnImage = $"Image {number} must be an http(s) URL or a data:image/... URI.";
        if (value.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase))
        {
            return value.Length > TaskLimits.MaxImageChars
                ? $"Image {number} (a data: URI) must be at most {TaskLimits.MaxImageChars} characters (got {value.Length})."
                : value.Contains(',', StringComparison.Ordinal) ? null : notAnImage;
        }

        if (value.Length > TaskLimits.MaxImageUrlLength)
        {
            return value.StartsWith("http", StringComparison.OrdinalIgnoreCase)
                ? $"Image {number} (a URL) must be at most {TaskLimits.MaxImageUrlLength} characters (got {value.Length})."
                : notAnImage;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(uri.Host)
                ? null
                : notAnImage;
    }

    private static string Shorten(string value) => value.Length <= 50 ? value : value[..50] + "…";
}

/// <summary>A generate request that passed every rule, with defaults applied.</summary>
public sealed record ValidGenerateRequest(
    string Provider, string Model, string Prompt, string AspectRatio, int Duration, bool Hd, IReadOnlyList<string> Images, string? CallbackUrl = null);
