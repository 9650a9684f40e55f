namespace GridQueue.Server.Api;

/// <summary>The error responses the API sends, with the contract's codes and messages a person can act on.</summary>
public static class ApiErrors
{
    public static EnvelopeResult Validation(string message, IReadOnlyDictionary<string, string>? details = null) =>
        EnvelopeResult.Failure(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, message, details);

    public static EnvelopeResult Validation(IReadOnlyDictionary<string, string> details) =>
        Validation(details.Count == 1 ? details.First().Value : $"{details.Count} fields are invalid: {string.Join(", ", details.Keys)}.", details);

    public static EnvelopeResult Field(string field, string message) =>
        Validation(message, new Dictionary<string, string>(StringComparer.Ordinal) { [field] = message });

    public static EnvelopeResult NotAllowed(string message) =>
        EnvelopeResult.Failure(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, message);

    public static EnvelopeResult NotFound(string what = "task") =>
        EnvelopeResult.Failure(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"No such {what}.");

    public static EnvelopeResult Unauthorized(string message) =>
        EnvelopeResult.Failure(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, message);

    public static EnvelopeResult Forbidden(string message) =>
        EnvelopeResult.Failure(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, message);

    public static EnvelopeResult PayloadTooLarge(long limit) =>
        EnvelopeResult.Failure(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body is over the limit of {limit} bytes.");

    public static EnvelopeResult RateLimited(TimeSpan retryAfter) =>
        EnvelopeResult.Failure(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests; try again after the Retry-After delay.") with { RetryAfter = retryAfter };

    /// <summary>The caller already holds as many event streams as one user may (Api__MaxStreamsPerUser).</summary>
    public static EnvelopeResult TooManyStreams(int cap) =>
        EnvelopeResult.Failure(
            StatusCodes.Status429TooManyRequests,
            ErrorCodes.RateLimited,
            $"You already have {cap} event streams open, the cap per user on this server; close one and try again after the Retry-After delay.")
        with { RetryAfter = StreamLimiter.RetryAfter };

    public static EnvelopeResult Unavailable(string message) =>
        EnvelopeResult.Failure(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, message) with { RetryAfter = TimeSpan.FromSeconds(2) };

    public static EnvelopeResult Internal(string correlationId) =>
        EnvelopeResult.Failure(StatusCodes.Status500InternalServerError, ErrorCodes.Internal, $"An unexpected error occurred. Correlation id: {correlationId}.");
}
