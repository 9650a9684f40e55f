using System.Globalization;
using System.Text.Json;

namespace GridQueue.Tasks.Providers.T8Star;

/// <summary>
/// Reads a unified-format status answer leniently: relays differ in case, progress format and where they put the
/// video URL, so anything unexpected falls back to "not done yet" rather than an exception. Only a body that is
/// not JSON at all (or not a JSON object) is an error, and a transient one: the next poll may read fine.
/// </summary>
internal static class T8StarStatusParser
{
    public const string SuccessWithoutUrlReason = "the provider reported success without a video URL";
    public const string FailureWithoutReason = "the provider reported a failure without a reason";

    /// <summary>Longest fail reason kept; relays sometimes put whole error pages there.</summary>
    public const int MaxReasonLength = 1000;

    /// <summary>Parses a status body.</summary>
    /// <exception cref="ProviderException">Transient: the body is not a JSON object.</exception>
    public static ProviderStatus Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw Unreadable(ex);
        }
    }

    /// <summary>Parses a status answer already read as JSON.</summary>
    /// <exception cref="ProviderException">Transient: the answer is not a JSON object.</exception>
    public static ProviderStatus Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Unreadable(null);
        }

        var task = TaskObject(root);
        var state = ParseState(task.TryGetProperty("status", out var status) ? status : default);
        var progress = task.TryGetProperty("progress", out var p) ? ParseProgress(p) : 0;
        switch (state)
        {
            case UpstreamState.Succeeded:
                var url = task.TryGetProperty("data", out var data) ? VideoUrl(data) : null;
                return url is null
                    ? new ProviderStatus(UpstreamState.Failed, progress, null, SuccessWithoutUrlReason)
                    : new ProviderStatus(UpstreamState.Succeeded, 100, url, null);
            case UpstreamState.Failed:
                return new ProviderStatus(UpstreamState.Failed, progress, null, FailReason(task) ?? FailureWithoutReason);
            default:
                return new ProviderStatus(state, progress, null, null);
        }
    }

    /// <summary>SUCCESS, FAILURE and IN_PROGRESS in any case; everything else (including no status) is Pending.</summary>
    internal static UpstreamState ParseState(JsonElement status)
    {
        if (status.ValueKind != JsonValueKind.String)
        {
            return UpstreamState.Pending;
        }

        var text = status.GetString()?.Trim() ?? "";
        return text.ToUpperInvariant() switch
        {
            "SUCCESS" => UpstreamState.Succeeded,
            "FAILURE" => UpstreamState.Failed,
            "IN_PROGRESS" => UpstreamState.Running,
            _ => UpstreamState.Pending,
        };
    }

    /// <summary>"45%", "45", 45 or 45.6 → 45, clamped to 0-100; anything unreadable → 0.</summary>
    internal static int ParseProgress(JsonElement progress)
    {
        double value;
        switch (progress.ValueKind)
        {
            case JsonValueKind.Number:
                if (!progress.TryGetDouble(out value))
                {
                    return 0;
                }

                break;
            case JsonValueKind.String:
                var text = progress.GetString()?.Trim() ?? "";
                if (text.EndsWith('%'))
                {
                    text = text[..^1].TrimEnd();
                }

                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                {
                    return 0;
                }

                break;
            default:
                return 0;
        }

        // Rounded down: a task is not at 100 % until it says so.
        return double.IsFinite(value) ? (int)Math.Clamp(Math.Floor(value), 0, 100) : 0;
    }

    /// <summary>
    /// The object holding "status": the root, or (for relays that wrap the answer) a "data" object that has a
    /// status when the root has none.
    /// </summary>
    private static JsonElement TaskObject(JsonElement root)
    {
        if (!root.TryGetProperty("status", out _)
            && root.TryGetProperty("data", out var data)
            && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("status", out _))
        {
            return data;
        }

        return root;
    }

    /// <summary>data.output, else the first usable entry of data.outputs.</summary>
    private static string? VideoUrl(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (data.TryGetProperty("output", out var output) && NonBlank(output) is { } url)
        {
            return url;
        }

        if (data.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in outputs.EnumerateArray())
            {
                if (NonBlank(item) is { } first)
                {
                    return first;
                }
            }
        }

        return null;
    }

    /// <summary>fail_reason, else an "error" string or error.message.</summary>
    private static string? FailReason(JsonElement task)
    {
        var reason = task.TryGetProperty("fail_reason", out var r) ? NonBlank(r) : null;
        if (reason is null && task.TryGetProperty("error", out var error))
        {
            reason = error.ValueKind == JsonValueKind.Object
                ? error.TryGetProperty("message", out var m) ? NonBlank(m) : null
                : NonBlank(error);
        }

        return reason is { Length: > MaxReasonLength } ? string.Concat(reason.AsSpan(0, MaxReasonLength), "…") : reason;
    }

    private static string? NonBlank(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()?.Trim() is { Length: > 0 } text ? text : null;

    private static ProviderException Unreadable(Exception? inner) =>
        new(ProviderErrorKind.Transient, "The upstream sent an unreadable status answer (not a JSON object).", innerException: inner);
}
