using GridQueue.Engine.Storage;
using GridQueue.Server.Api.OpenApi;

namespace GridQueue.Server.Api;

/// <summary>/healthz (the process serves) and /readyz (storage answers and its migrations are applied).</summary>
public static partial class HealthEndpoints
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }))
            .WithName("Health").WithTags(EndpointTags.Health).WithSummary("200 while the process serves")
            .Produces<HealthSchema>(StatusCodes.Status200OK, EndpointDocs.Json);
        app.MapGet("/readyz", ReadyAsync)
            .WithName("Ready").WithTags(EndpointTags.Health).WithSummary("200 when storage answers and its migrations are applied, else 503")
            .Produces<HealthSchema>(StatusCodes.Status200OK, EndpointDocs.Json)
            .Produces<HealthSchema>(StatusCodes.Status503ServiceUnavailable, EndpointDocs.Json);
        return app;
    }

    private static async Task<IResult> ReadyAsync(IJobStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            return await store.IsReadyAsync(timeout.Token).ConfigureAwait(false)
                ? Results.Json(new { status = "ready" })
                : Results.Json(new { status = "migrations pending" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or IOException)
        {
            LogNotReady(loggers.CreateLogger(typeof(HealthEndpoints)), e);
            return Results.Json(new { status = "storage unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness check: storage does not answer.")]
    private static partial void LogNotReady(ILogger logger, Exception exception);
}
