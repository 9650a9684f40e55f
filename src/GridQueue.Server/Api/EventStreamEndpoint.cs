using System.Globalization;
using System.Text;
using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Auth;
using GridQueue.Server.Hosting;
using GridQueue.Server.Telemetry;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Service;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace GridQueue.Server.Api;

/// <summary>
/// GET /api/v1/video/events: the caller's task changes as Server-Sent Events. The stream subscribes to the live hub
/// first, then replays the log after the client's last event id, then forwards live events, skipping any the
/// replay already sent: every change after the resume point arrives once, in order. A user holds at most
/// Api__MaxStreamsPerUser streams at once (429 past it), and a resume point ahead of the log is refused (400).
/// </summary>
public static class EventStreamEndpoint
{
    /// <summary>One read of the log while replaying: bounded in bytes too, as one event may carry megabytes of images.</summary>
    private static readonly EventPageSize ReplayPage = new(500, 4L * 1024 * 1024);

    /// <summary>Characters of a payload encoded and flushed at a time, so a large event is not copied whole again.</summary>
    private const int WriteChunkChars = 64 * 1024;

    public static RouteGroupBuilder MapEventStream(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/video/events", StreamAsync).RequireAuthorization().RequireRateLimiting(RateLimits.ActionsPolicy)
            .WithName("StreamTaskEvents").WithTags(EndpointTags.Events).WithSummary("Live changes of the caller's tasks (Server-Sent Events)")
            .WithDescription(EventStreamDocs.Description)
            .WithRequestHeader("Last-Event-ID", "Resume after this event id: the changes after it are replayed first, then live ones follow.")
            .WithQueryParameter(new DocumentedParameter("last_event_id", ParameterLocation.Query, "As Last-Event-ID, for clients that cannot set headers.") { Type = JsonSchemaType.Integer, Minimum = 0 })
            .WithQueryParameter(new DocumentedParameter("task_id", ParameterLocation.Query, "Only this task's changes."))
            .WithQueryParameter(new DocumentedParameter("access_token", ParameterLocation.Query, "The bearer token, for browsers' EventSource, which cannot set headers."))
            .Produces<string>(StatusCodes.Status200OK, EventStreamDocs.ContentType)
            .ProducesErrors(
                StatusCodes.Status400BadRequest,
                "Last-Event-ID is not a whole number (VALIDATION_ERROR) or is ahead of the server's event log (BAD_REQUEST: reconnect without it).",
                ErrorCodes.ValidationError,
                ErrorCodes.BadRequest)
            .ProducesUnauthorized()
            .ProducesErrors(StatusCodes.Status404NotFound, "task_id names no task of the caller.", ErrorCodes.NotFound)
            .ProducesRateLimited("Over the per-user rate limit, or the user already holds Api__MaxStreamsPerUser streams.")
            .ProducesUnavailable()
            .ProducesInternal();
        return api;
    }

    private static async Task<IResult> StreamAsync(
        HttpContext http,
        TaskService tasks,
        ITaskStore store,
        TaskEventHub hub,
        StreamLimiter limiter,
        ServerMetrics metrics,
        IOptions<ApiOptions> options,
        IHostApplicationLifetime lifetime)
    {
        var userId = http.UserId();
        var lastEventText = http.Request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(lastEventText))
        {
            lastEventText = http.Request.Query["last_event_id"].ToString();
        }

        long? lastEventId = null;
        if (!string.IsNullOrEmpty(lastEventText))
        {
            if (!long.TryParse(lastEventText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return ApiErrors.Field("last_event_id", "Last-Event-ID must be a non-negative whole number (an event id this server sent).");
            }

            lastEventId = parsed;
        }

        string? taskId = http.Request.Query["task_id"].ToString() is { Length: > 0 } t ? t : null;
        if (taskId is not null && await tasks.GetAsync(userId, taskId, http.RequestAborted).ConfigureAwait(false) is null)
        {
            return ApiErrors.NotFound();
        }

        // The place is held until this handler returns, however the stream ends.
        using var place = limiter.TryAcquire(userId);
        if (place is null)
        {
            return ApiErrors.TooManyStreams(limiter.Cap);
        }

        using var open = metrics.StreamOpened();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stop.Token;

        // Subscribe first (it waits until the hub has read the log's last sequence at start-up), then read the
        // resume point: anything after it is either in the log when the replay reads, or delivered live to the
        // subscription; what the subscription got before that point is older than "now" and is skipped below.
        using var subscription = await hub.SubscribeAsync(userId, taskId, cancellationToken).ConfigureAwait(false);

        // Every id this server sent is at most the newest in its log (read after subscribing, so an id sent just now
        // counts). A larger one comes from a log that was reset (a restored or recreated database, a power cut) or
        // from another server: resuming after it would silently skip every change until the ids caught up.
        if (lastEventId is { } resume && resume > await store.EventLastSequenceAsync(cancellationToken).ConfigureAwait(false))
        {
            return ApiErrors.NotAllowed(string.Create(
                CultureInfo.InvariantCulture,
                $"Last-Event-ID {resume} is ahead of this server's event log: the log was reset or the id is not from this server. Reconnect without Last-Event-ID (and without last_event_id), then reload the tasks you show."));
        }

        var sent = lastEventId ?? hub.DeliveredSequence;

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        try
        {
            // The opening block carries the resume point as an id with no data: not an event, but browsers and the
            // .NET client take it as their Last-Event-ID, so a drop before the first change loses nothing.
            await WriteAsync(response, string.Create(CultureInfo.InvariantCulture, $"retry: 2000\nid: {sent}\n\n"), cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var page = await store.EventListAfterAsync(sent, userId, taskId, ReplayPage, cancellationToken).ConfigureAwait(false);
                foreach (var taskEvent in page)
                {
                    await WriteEventAsync(response, taskEvent, cancellationToken).ConfigureAwait(false);
                    sent = taskEvent.Sequence;
                }

                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (!ReplayPage.IsFull(page))
                {
                    break;
                }
            }

            var ping = options.Value.SsePingInterval;
            while (true)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(ping);
                bool ready;
                try
                {
                    ready = await subscription.Events.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await WriteAsync(response, ": ping\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!ready)
                {
                    break; // the hub stopped (shutdown)
                }

                while (subscription.Events.TryRead(out var taskEvent))
                {
                    if (taskEvent.Sequence > sent)
                    {
                        await WriteEventAsync(response, taskEvent, cancellationToken).ConfigureAwait(false);
                        sent = taskEvent.Sequence;
                    }
                }

                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left or the server is stopping; a client resumes from its last id.
        }
        catch (SubscriberTooSlowException)
        {
            // Dropped for falling behind; the client reconnects with its last id and catches up from the log.
        }

        return Results.Empty;
    }

    /// <summary>
    /// Writes one event: the payload is encoded in chunks straight into the response's buffer, not built into a
    /// second string and a byte array of its whole size first.
    /// </summary>
    private static async Task WriteEventAsync(HttpResponse response, TaskEvent taskEvent, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {taskEvent.Sequence}\nevent: task\ndata: "), writer);
        var payload = taskEvent.Payload.AsMemory();
        while (payload.Length > WriteChunkChars)
        {
            // The payload is ASCII (the task JSON escapes the rest), but a chunk never ends inside a surrogate pair.
            var take = char.IsHighSurrogate(payload.Span[WriteChunkChars - 1]) ? WriteChunkChars - 1 : WriteChunkChars;
            Encoding.UTF8.GetBytes(payload.Span[..take], writer);
            payload = payload[take..];
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        Encoding.UTF8.GetBytes(payload.Span, writer);
        Encoding.UTF8.GetBytes("\n\n", writer);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        Encoding.UTF8.GetBytes(text, response.BodyWriter);
        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
