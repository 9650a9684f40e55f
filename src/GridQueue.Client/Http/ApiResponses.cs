using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GridQueue.Client.Json;

namespace GridQueue.Client.Http;

/// <summary>Turns an HTTP answer into the envelope's data, or into the <see cref="GridQueueException"/> it stands for.</summary>
internal static class ApiResponses
{
    public static async Task<T> ReadDataAsync<T>(HttpResponseMessage response, JsonTypeInfo<Envelope<T>> typeInfo, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        Envelope<T>? envelope;
        try
        {
            envelope = body.Length == 0 ? null : JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException e)
        {
            // The data did not match the contract's shape; an error envelope (no data) is read again on its own below,
            // so a wrong data shape is not confused with the server's own error.
            if (!Failures.IsSuccess(response.StatusCode))
            {
                throw ToException(response, body);
            }

            throw Failures.InvalidResponse(response, $"the body is not the JSON envelope the contract describes ({e.Message}).", e);
        }

        if (envelope?.Success == true && Failures.IsSuccess(response.StatusCode) && envelope.Data is not null)
        {
            return envelope.Data;
        }

        throw ToException(response, envelope?.Error, envelope?.Success);
    }

    /// <summary>The exception for an answer that is not a success (used for the event stream's refusals too).</summary>
    public static async Task<GridQueueException> ReadFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return ToException(response, body);
    }

    private static GridQueueException ToException(HttpResponseMessage response, byte[] body)
    {
        Envelope<JsonElement>? envelope;
        try
        {
            envelope = body.Length == 0 ? null : JsonSerializer.Deserialize(body, GridQueueJsonContext.Default.EnvelopeJsonElement);
        }
        catch (JsonException e)
        {
            return Failures.InvalidResponse(response, $"the body is not JSON ({e.Message}).", e);
        }

        return ToException(response, envelope?.Error, envelope?.Success);
    }

    private static GridQueueException ToException(HttpResponseMessage response, EnvelopeError? error, bool? success)
    {
        if (success is null)
        {
            return Failures.InvalidResponse(response, "there is no \"success\" field.");
        }

        if (success == true)
        {
            return Failures.InvalidResponse(response, Failures.IsSuccess(response.StatusCode)
                ? "\"success\" is true but there is no \"data\"."
                : "\"success\" is true on an HTTP error status.");
        }

        if (error is null || string.IsNullOrEmpty(error.Code))
        {
            return Failures.InvalidResponse(response, "\"success\" is false but there is no error code.");
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in error.Details ?? [])
        {
            details[field] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }

        return new GridQueueException(
            error.Code,
            string.IsNullOrWhiteSpace(error.Message) ? $"The server answered {error.Code}." : error.Message,
            response.StatusCode,
            new ReadOnlyDictionary<string, string>(details),
            Failures.RetryAfter(response));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Failures.IsTransport(e))
        {
            throw Failures.ConnectionFailed(response.RequestMessage?.RequestUri, e);
        }
    }
}
