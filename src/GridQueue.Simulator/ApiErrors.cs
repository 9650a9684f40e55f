using System.Globalization;

namespace GridQueue.Simulator;

/// <summary>
/// The error bodies, all shaped <c>{"error":{"message","type"}}</c>, so a provider can always keep the upstream message.
/// </summary>
internal static class ApiErrors
{
    public static IResult InvalidRequest(string message) => Create(StatusCodes.Status400BadRequest, "invalid_request", message);

    public static IResult Unauthorized(string message) => Create(StatusCodes.Status401Unauthorized, "authentication_error", message);

    public static IResult NotFound(string message) => Create(StatusCodes.Status404NotFound, "not_found", message);

    public static IResult RateLimited(string message) => Create(StatusCodes.Status429TooManyRequests, "rate_limited", message);

    public static IResult ServerError(int statusCode) =>
        Create(statusCode, "server_error", string.Create(CultureInfo.InvariantCulture, $"simulated server error {statusCode}"));

    public static IResult Unavailable(string message) => Create(StatusCodes.Status503ServiceUnavailable, "service_unavailable", message);

    private static IResult Create(int statusCode, string type, string message) =>
        Results.Json(new ErrorResponse(new ErrorDetail(message, type)), SimulatorJson.Options, statusCode: statusCode);
}
