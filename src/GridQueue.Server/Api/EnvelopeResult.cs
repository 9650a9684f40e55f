using System.Globalization;
using System.Text.Json;

namespace GridQueue.Server.Api;

/// <summary>
/// The one place responses get the contract's envelope: {"success": true, "data": ...} or
/// {"success": false, "error": {"code", "message", "details"?}}. Data is written by a delegate, so the task object's
/// bytes come from the same writer the event log uses.
/// </summary>
public sealed record EnvelopeResult : IResult
{
    private readonly int _status;
    private readonly Action<Utf8JsonWriter>? _writeData;
    private readonly (string Code, string Message, IReadOnlyDictionary<string, string>? Details)? _error;

    private EnvelopeResult(int status, Action<Utf8JsonWriter>? writeData, (string, string, IReadOnlyDictionary<string, string>?)? error)
    {
        _status = status;
        _writeData = writeData;
        _error = error;
    }

    /// <summary>Sent as the ETag header when set.</summary>
    public string? ETag { get; init; }

    /// <summary>Sent as the Retry-After header (whole seconds) when set.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static EnvelopeResult Success(Action<Utf8JsonWriter> writeData, int status = StatusCodes.Status200OK) =>
        new(status, writeData, null);

    public static EnvelopeResult Failure(int status, string code, string message, IReadOnlyDictionary<string, string>? details = null) =>
        new(status, null, (code, message, details));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return WriteAsync(httpContext.Response);
    }

    /// <summary>Writes the envelope to a response that has not started (used by middleware as well as endpoints).</summary>
    public async Task WriteAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = _status;
        response.ContentType = "application/json; charset=utf-8";
        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
        }

        if (RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", _error is null);
            if (_error is { } error)
            {
                writer.WriteStartObject("error");
                writer.WriteString("code", error.Code);
                writer.WriteString("message", error.Message);
                if (error.Details is { Count: > 0 } details)
                {
                    writer.WriteStartObject("details");
                    foreach (var (field, message) in details)
                    {
                        writer.WriteString(field, message);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName("data");
                _writeData!(writer);
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }
}
