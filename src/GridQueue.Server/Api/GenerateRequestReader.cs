using System.Text.Json;
using GridQueue.Tasks.Service;
using Microsoft.AspNetCore.Http.Features;

namespace GridQueue.Server.Api;

/// <summary>
/// Reads the generate body by hand from a JsonDocument, so each field gets its own message for a wrong type
/// (a number where a string belongs, 10.5 as a duration) instead of one serializer error for the whole body.
/// Unknown fields are ignored, as the contract allows adding fields.
/// </summary>
public static class GenerateRequestReader
{
    public static async Task<(GenerateTaskCommand? Command, EnvelopeResult? Error)> ReadAsync(HttpRequest request, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return (null, ApiErrors.PayloadTooLarge(maxBytes));
        }

        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiErrors.PayloadTooLarge(maxBytes));
        }
        catch (JsonException e)
        {
            return (null, ApiErrors.Validation(request.ContentLength == 0 || e.BytePositionInLine == 0 && e.LineNumber == 0
                ? "The request body must be a JSON object."
                : $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiErrors.Validation("The request body must be a JSON object."));
            }

            var errors = new Dictionary<string, string>(StringComparer.Ordinal);
            var root = document.RootElement;
            var command = new GenerateTaskCommand
            {
                Provider = String(root, "provider", errors),
                Prompt = String(root, "prompt", errors),
                Model = String(root, "model", errors),
                AspectRatio = String(root, "aspect_ratio", errors),
                Hd = Bool(root, "hd", errors),
                Duration = Int(root, "duration", errors),
                Images = Strings(root, "images", errors),
                CallbackUrl = String(root, "callback_url", errors),
            };
            return errors.Count > 0 ? (null, ApiErrors.Validation(errors)) : (command, null);
        }
    }

    private static string? String(JsonElement root, string name, Dictionary<string, string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = $"{name} must be a string.";
            return null;
        }

        return Text(value, name, errors);
    }

    /// <summary>
    /// The string's text. JsonDocument checks a string's UTF-8 only when the text is read, and GetString then throws
    /// InvalidOperationException: without this, a body with invalid UTF-8 in a string got a 500 instead of a 400.
    /// </summary>
    private static string? Text(JsonElement value, string name, Dictionary<string, string> errors)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            errors[name] = $"{name} must be valid UTF-8 text.";
            return null;
        }
    }

    private static bool? Bool(JsonElement root, string name, Dictionary<string, string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors[name] = $"{name} must be true or false.";
        return null;
    }

    private static int? Int(JsonElement root, string name, Dictionary<string, string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        errors[name] = value.ValueKind == JsonValueKind.Number
            ? $"{name} must be a whole number of seconds."
            : $"{name} must be a number.";
        return null;
    }

    private static string[]? Strings(JsonElement root, string name, Dictionary<string, string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            errors[name] = $"{name} must be an array of strings.";
            return null;
        }

        var items = value.EnumerateArray().Select(e => Text(e, name, errors)!).ToArray();
        return errors.ContainsKey(name) ? null : items;
    }
}
