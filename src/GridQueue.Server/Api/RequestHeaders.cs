using GridQueue.Tasks.Service;

namespace GridQueue.Server.Api;

/// <summary>The optional headers of task requests, checked against the contract's limits.</summary>
public static class RequestHeaders
{
    public const string IdempotencyKey = "Idempotency-Key";
    public const string UserApiKey = "X-User-Api-Key";
    public const string UserGeminiKey = "X-User-Gemini-Key";

    public static (string? Value, EnvelopeResult? Error) ReadIdempotencyKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.TryGetValue(IdempotencyKey, out var values))
        {
            return (null, null);
        }

        var value = values.ToString();
        return value.Length is < 1 or > TaskLimits.IdempotencyKeyMaxLength || values.Count > 1
            ? (null, ApiErrors.Field(IdempotencyKey, $"Idempotency-Key must be one value of 1 to {TaskLimits.IdempotencyKeyMaxLength} characters."))
            : (value, null);
    }

    /// <summary>The user's own upstream key (X-User-Api-Key, or X-User-Gemini-Key as the same). Never logged.</summary>
    public static (string? Value, EnvelopeResult? Error) ReadUserApiKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Headers.ContainsKey(UserApiKey) ? UserApiKey : request.Headers.ContainsKey(UserGeminiKey) ? UserGeminiKey : null;
        if (name is null)
        {
            return (null, null);
        }

        var values = request.Headers[name];
        var value = values.ToString().Trim();
        return value.Length is < 1 or > TaskLimits.ApiKeyMaxLength || values.Count > 1 || value.Any(char.IsControl)
            ? (null, ApiErrors.Field(name, $"{name} must be one key of 1 to {TaskLimits.ApiKeyMaxLength} printable characters."))
            : (value, null);
    }
}
