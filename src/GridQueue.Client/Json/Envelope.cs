using System.Text.Json;

namespace GridQueue.Client.Json;

/// <summary>The contract's response envelope: <c>{"success": true, "data": …}</c> or <c>{"success": false, "error": {…}}</c>.</summary>
internal sealed class Envelope<T>
{
    public bool? Success { get; init; }

    public T? Data { get; init; }

    public EnvelopeError? Error { get; init; }
}

/// <summary>The error object of a failed call.</summary>
internal sealed class EnvelopeError
{
    public string? Code { get; init; }

    public string? Message { get; init; }

    /// <summary>Kept as raw JSON values: the contract promises strings, but a detail of another type must not hide the error itself.</summary>
    public Dictionary<string, JsonElement>? Details { get; init; }
}
