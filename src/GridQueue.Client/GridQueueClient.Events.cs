using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using GridQueue.Client.Http;
using GridQueue.Client.Sse;

namespace GridQueue.Client;

/// <summary>The live side of the client: the event stream and waiting for a task.</summary>
public sealed partial class GridQueueClient
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptEventStream = new("text/event-stream");

    /// <summary>
    /// <c>GET /api/v1/video/events</c>: every change of the caller's tasks (or of <see cref="WatchOptions.TaskId"/>'s),
    /// in order, each once. When the connection drops (a transport error, the server ending the stream, a 5xx, a 429,
    /// 45 s without even a ping) it calls <see cref="WatchOptions.Disconnected"/>, waits (the server's <c>retry:</c>
    /// hint, 2 s, doubling up to 30 s while reconnects fail; Retry-After when sent) and reconnects with
    /// <c>Last-Event-ID</c> = the last <see cref="TaskUpdate.EventId"/> yielded, so the server replays what was missed
    /// and nothing repeats. It never ends by itself: cancel <paramref name="cancellationToken"/> to stop (the
    /// enumeration then throws <see cref="OperationCanceledException"/>). 400, 401, 403 and 404 end it with
    /// <see cref="GridQueueException"/>.
    /// </summary>
    /// <remarks>
    /// Without <see cref="WatchOptions.LastEventId"/> the stream starts at "now": the server's opening block names that
    /// point (an id without data), so even a drop before the first change resumes from it without a gap.
    /// </remarks>
    public async IAsyncEnumerable<TaskUpdate> WatchAsync(WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var taskId = options?.TaskId;
        if (taskId is { Length: 0 })
        {
            throw new ArgumentException("TaskId must be null (all tasks) or a task id.", nameof(options));
        }

        if (options?.ReconnectDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "ReconnectDelay must not be negative.");
        }

        using var stream = new TaskEventStream(
            (lastEventId, ct) => OpenEventStreamAsync(taskId, lastEventId, ct),
            options?.LastEventId,
            options?.ReconnectDelay,
            options?.Disconnected);
        while (true)
        {
            if (await stream.ReadAsync(cancellationToken).ConfigureAwait(false) is { } update)
            {
                yield return update;
            }
        }
    }

    /// <summary>
    /// Waits until the task is succeeded, failed or cancelled and returns it (a failed task is returned, not thrown).
    /// It opens the task's event stream first and reads the task only once the server has subscribed it, so no change
    /// can fall between the two; <paramref name="progress"/> gets that first read and then every newer state, in order,
    /// synchronously on the waiting call's thread. Survives stream drops like <see cref="WatchAsync"/> (and reads the
    /// task again after each reconnect). NOT_FOUND when the task is not the caller's.
    /// </summary>
    public async Task<VideoTask> WaitForCompletionAsync(string taskId, IProgress<VideoTask>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        using var stream = new TaskEventStream((lastEventId, ct) => OpenEventStreamAsync(taskId, lastEventId, ct), null, null, null);
        await stream.ConnectAsync(cancellationToken).ConfigureAwait(false);
        VideoTask? latest = null;
        var read = true;
        while (true)
        {
            VideoTask? seen;
            if (read)
            {
                try
                {
                    seen = await GetAsync(taskId, cancellationToken).ConfigureAwait(false);
                }
                catch (GridQueueException e) when (e.IsTransient)
                {
                    await stream.ReconnectAsync(e, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                read = false;
            }
            else
            {
                var update = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
                read = update is null; // a reconnect: read the task again rather than trust the gap was replayed
                seen = update?.Task;
            }

            // Events already in the stream when the task was read are older than that read: never report going back.
            if (seen is not null && (latest is null || TaskOrder.IsNewer(seen, latest)))
            {
                latest = seen;
                progress?.Report(seen);
                if (seen.IsTerminal)
                {
                    return seen;
                }
            }
        }
    }

    /// <summary>Opens the event stream; returns once the server answered 200 with <c>text/event-stream</c> (it has subscribed by then).</summary>
    private async Task<EventStreamConnection> OpenEventStreamAsync(string? taskId, long? lastEventId, CancellationToken cancellationToken)
    {
        var path = taskId is null ? "api/v1/video/events" : "api/v1/video/events?task_id=" + Uri.EscapeDataString(taskId);
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint(path));
        request.Headers.Accept.Add(AcceptEventStream);
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        if (lastEventId is { } id)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", id.ToString(CultureInfo.InvariantCulture));
        }

        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var opened = false;
        try
        {
            if (!Failures.IsSuccess(response.StatusCode))
            {
                throw await ApiResponses.ReadFailureAsync(response, cancellationToken).ConfigureAwait(false);
            }

            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw Failures.InvalidResponse(response, "an event stream (text/event-stream) was expected.");
            }

            Stream body;
            try
            {
                body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Failures.IsTransport(e))
            {
                throw Failures.ConnectionFailed(request.RequestUri, e);
            }

            opened = true;
            return new EventStreamConnection(response, body);
        }
        finally
        {
            if (!opened)
            {
                response.Dispose();
            }
        }
    }
}
