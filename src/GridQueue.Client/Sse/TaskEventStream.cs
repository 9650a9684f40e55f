using System.Globalization;
using System.Text.Json;
using GridQueue.Client.Http;
using GridQueue.Client.Json;

namespace GridQueue.Client.Sse;

/// <summary>
/// The task event stream with reconnects: when a connection drops it reports the failure, waits, and reconnects with
/// Last-Event-ID = the last event it returned, so the server replays exactly the changes after it. Events with an id
/// at or below that one are skipped (ids only increase), so nothing is returned twice.
/// </summary>
internal sealed class TaskEventStream(
    Func<long?, CancellationToken, Task<EventStreamConnection>> open,
    long? lastEventId,
    TimeSpan? reconnectDelay,
    Action<Exception>? disconnected) : IDisposable
{
    /// <summary>The standard's and this server's default reconnection time.</summary>
    public static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between failing reconnects.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The shortest wait, whatever the settings say: a zero delay would spin against a server that is down.</summary>
    public static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(50);

    private EventStreamConnection? _connection;
    private TimeSpan _serverRetry = DefaultRetry;
    private int _failedConnects;
    private int _connects;

    /// <summary>The resume point: the id of the last event returned (or given at the start).</summary>
    public long? LastEventId { get; private set; } = lastEventId;

    /// <summary>Opens the first connection, retrying transient failures (no answer, 5xx, 429) until it succeeds.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            GridQueueException failure;
            try
            {
                _connection = await open(LastEventId, cancellationToken).ConfigureAwait(false);
                _failedConnects = 0;
                _connects++;
                return;
            }
            catch (GridQueueException e) when (e.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                failure = e;
            }

            _failedConnects++;
            await WaitAsync(failure, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Treats the current connection as lost (e.g. a related call failed): report, wait, reconnect.</summary>
    public async Task ReconnectAsync(Exception reason, CancellationToken cancellationToken)
    {
        Close();
        await WaitAsync(reason, cancellationToken).ConfigureAwait(false);
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The next task update; null right after a reconnect, so a caller that keeps its own view of a task can read it
    /// again (changes made while no connection was open are replayed only when a resume point was known).
    /// </summary>
    public async Task<TaskUpdate?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (_connects > 1)
            {
                return null;
            }
        }

        var connection = _connection!;
        while (true)
        {
            SseMessage? message;
            GridQueueException? drop;
            try
            {
                message = await connection.ReadAsync(cancellationToken).ConfigureAwait(false);
                drop = message is null ? Failures.StreamEnded(connection.RequestUri) : null;
            }
            catch (GridQueueException e) when (!cancellationToken.IsCancellationRequested)
            {
                message = null;
                drop = e;
            }

            _serverRetry = connection.Retry ?? _serverRetry;
            if (drop is not null)
            {
                await ReconnectAsync(drop, cancellationToken).ConfigureAwait(false);
                return null;
            }

            if (message!.Data.Length == 0)
            {
                // An id-only block: the standard makes it the resume point; the server opens every stream with one
                // (0 on a server with no change yet), so even a drop before the first change resumes without a gap.
                if (TryParseMark(message.Id, out var mark) && (LastEventId is null || mark > LastEventId))
                {
                    LastEventId = mark;
                }

                continue;
            }

            if (message.Event != "task")
            {
                continue; // event types this client does not know are ignored; the contract may add some
            }

            if (!TryParseId(message.Id, out var id))
            {
                throw Failures.InvalidEvent(connection.RequestUri, $"a task event has no valid id (\"{message.Id}\").");
            }

            if (id <= LastEventId)
            {
                continue; // already returned before a reconnect
            }

            VideoTask task;
            try
            {
                task = JsonSerializer.Deserialize(message.Data, GridQueueJsonContext.Default.VideoTask)
                    ?? throw new JsonException("The data is null.");
            }
            catch (JsonException e)
            {
                throw Failures.InvalidEvent(connection.RequestUri, $"event {id} does not carry a task object ({e.Message}).", e);
            }

            LastEventId = id;
            return new TaskUpdate(id, task);
        }
    }

    public void Dispose() => Close();

    private static bool TryParseId(string? text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    /// <summary>A resume point: an event id, or 0 for "before every change".</summary>
    private static bool TryParseMark(string? text, out long mark) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out mark);

    private void Close()
    {
        _connection?.Dispose();
        _connection = null;
    }

    private async Task WaitAsync(Exception failure, CancellationToken cancellationToken)
    {
        Close();
        disconnected?.Invoke(failure);
        await Task.Delay(Delay(failure), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Retry-After when the server gave one; else the first delay, doubled per failed reconnect, capped.</summary>
    private TimeSpan Delay(Exception failure)
    {
        if (failure is GridQueueException { RetryAfter: { } retryAfter })
        {
            return retryAfter > MinDelay ? retryAfter : MinDelay;
        }

        var first = reconnectDelay ?? _serverRetry;
        first = first > MinDelay ? first : MinDelay;
        var cap = first > MaxDelay ? first : MaxDelay;
        var factor = Math.Pow(2, Math.Min(_failedConnects, 16));
        var delay = first * factor;
        return delay > cap ? cap : delay;
    }
}
