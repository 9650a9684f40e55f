namespace GridQueue.Server.Api;

/// <summary>The contract's error codes (docs: the API contract, "Conventions").</summary>
public static class ErrorCodes
{
    public const string ValidationError = "VALIDATION_ERROR";
    public const string BadRequest = "BAD_REQUEST";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string NotFound = "NOT_FOUND";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string RateLimited = "RATE_LIMITED";
    public const string UpstreamError = "UPSTREAM_ERROR";
    public const string Unavailable = "UNAVAILABLE";
    public const string Internal = "INTERNAL";
}
