using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GridQueue.Server.Api.OpenApi;

// The contract's envelope, for the OpenAPI document only (EnvelopeResult writes it by hand).

/// <summary>{"success": true, "data": ...}: every successful /api/v1 JSON answer.</summary>
public sealed class Envelope<T>
    where T : class
{
    [JsonPropertyName("success"), AllowedValues(true)]
    public required bool Success { get; init; }

    [JsonPropertyName("data")]
    public required T Data { get; init; }
}

/// <summary>{"success": false, "error": {...}}: every /api/v1 error.</summary>
public sealed class ErrorEnvelopeSchema
{
    [JsonPropertyName("success"), AllowedValues(false)]
    public required bool Success { get; init; }

    [JsonPropertyName("error")]
    public required ErrorSchema Error { get; init; }
}

/// <summary>What went wrong, for a program (code) and for a person (message).</summary>
public sealed class ErrorSchema
{
    [JsonPropertyName("code")]
    [AllowedValues(
        ErrorCodes.ValidationError, ErrorCodes.BadRequest, ErrorCodes.Unauthorized, ErrorCodes.Forbidden, ErrorCodes.NotFound,
        ErrorCodes.PayloadTooLarge, ErrorCodes.RateLimited, ErrorCodes.UpstreamError, ErrorCodes.Unavailable, ErrorCodes.Internal)]
    public required string Code { get; init; }

    [JsonPropertyName("message"), Description("For a person; never a stack trace. INTERNAL carries a correlation id.")]
    public required string Message { get; init; }

    [JsonPropertyName("details"), Description("Optional; for VALIDATION_ERROR it maps each field (or header) name to its message.")]
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
