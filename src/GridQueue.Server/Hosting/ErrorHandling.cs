using System.Data.Common;
using GridQueue.Server.Api;
using Microsoft.AspNetCore.Diagnostics;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Turns what escapes an endpoint into the contract's envelope: a storage failure is 503 UNAVAILABLE (the client
/// may retry), anything else is 500 INTERNAL with a correlation id and no stack trace. Status codes the routing
/// sets without a body (no such route, wrong method) get the envelope too.
/// </summary>
public static class ErrorHandling
{
    public static WebApplication UseGridQueueErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A BadHttpRequestException is the client's mistake (a body over the limit, a malformed request) and is
            // answered with a 4xx below; without this the middleware logged each one as an Error ("unhandled
            // exception"), e.g. for a dev-token body over Api__MaxBodyBytes. Real failures are still logged.
            // A request the client abandoned (it closed the connection) is not a server failure either.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException
                || (context.Exception is OperationCanceledException && context.HttpContext.RequestAborted.IsCancellationRequested),
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                if (error is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
                {
                    return; // nobody is listening for an answer
                }

                var result = error switch
                {
                    BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                        ApiErrors.PayloadTooLarge(context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.MaxBodyBytes),
                    BadHttpRequestException bad => ApiErrors.Validation($"The request could not be read: {bad.Message}"),
                    DbException or TimeoutException => ApiErrors.Unavailable("Storage is not answering right now; try again shortly."),
                    _ => ApiErrors.Internal(context.TraceIdentifier),
                };
                await result.WriteAsync(context.Response).ConfigureAwait(false);
            },
        });

        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || http.Response.HasStarted)
            {
                return;
            }

            EnvelopeResult? result = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => EnvelopeResult.Failure(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"No route {http.Request.Method} {http.Request.Path}."),
                StatusCodes.Status405MethodNotAllowed => EnvelopeResult.Failure(StatusCodes.Status405MethodNotAllowed, ErrorCodes.BadRequest, $"{http.Request.Method} is not allowed on {http.Request.Path}."),
                StatusCodes.Status415UnsupportedMediaType => ApiErrors.Validation("The request body must be JSON."),
                _ => null,
            };
            if (result is not null)
            {
                await result.WriteAsync(http.Response).ConfigureAwait(false);
            }
        });
        return app;
    }
}
