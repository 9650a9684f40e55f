using System.Text.Json;

namespace GridQueue.Simulator;

/// <summary>
/// The <c>/_simulator</c> endpoints through which tests read the counters and change faults. They need no key and
/// never meet a fault, so a test can always see and steer the simulator, even during a simulated outage.
/// </summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/_simulator");
        admin.MapGet("stats", (SimulatorState state) => Results.Json(state.Snapshot(), SimulatorJson.Options));
        admin.MapGet("faults", (FaultInjector faults) => Results.Json(faults.Faults, SimulatorJson.Options));
        admin.MapPut("faults", ReplaceFaultsAsync);
        admin.MapPost("outage", StartOutageAsync);
        return app;
    }

    private static async Task<IResult> ReplaceFaultsAsync(HttpContext context, FaultInjector faults)
    {
        SimulatorFaults? replacement;
        try
        {
            replacement = await JsonSerializer.DeserializeAsync<SimulatorFaults>(context.Request.Body, SimulatorJson.Options, context.RequestAborted);
        }
        catch (JsonException exception)
        {
            return ApiErrors.InvalidRequest($"the body is not a valid fault setting: {exception.Message}");
        }

        if (replacement is null)
        {
            return ApiErrors.InvalidRequest("the body must be a JSON object of fault settings");
        }

        var problems = replacement.Validate();
        if (problems.Count > 0)
        {
            return ApiErrors.InvalidRequest(string.Join(" ", problems));
        }

        faults.Faults = replacement;
        return Results.Json(replacement, SimulatorJson.Options);
    }

    private static async Task<IResult> StartOutageAsync(HttpContext context, FaultInjector faults)
    {
        OutageRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<OutageRequest>(context.Request.Body, SimulatorJson.Options, context.RequestAborted);
        }
        catch (JsonException exception)
        {
            return ApiErrors.InvalidRequest($"the body is not valid JSON: {exception.Message}");
        }

        if (request?.Seconds is not { } seconds || !double.IsFinite(seconds) || seconds < 0)
        {
            return ApiErrors.InvalidRequest("seconds is required and must not be negative, e.g. {\"seconds\": 30}");
        }

        var endsAt = faults.StartOutage(TimeSpan.FromSeconds(seconds));
        return Results.Json(new OutageResponse(endsAt), SimulatorJson.Options);
    }

    private sealed record OutageRequest(double? Seconds);

    private sealed record OutageResponse(DateTimeOffset OutageEndsAt);
}
