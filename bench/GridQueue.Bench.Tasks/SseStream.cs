using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// One user's live stream (GET /api/v1/video/events), read as a browser's EventSource would: "id", "event" and
/// "data" fields, a blank line ends an event, lines starting with ":" are comments. The arrival time of an event is
/// taken when its closing blank line has been read, before anything else is done with it. A dropped connection is
/// reopened with Last-Event-ID (and counted): the server then replays what was missed.
/// </summary>
internal sealed class SseStream : IAsyncDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(200);

    private readonly HttpClient _http;
    private readonly BenchUser _user;
    private readonly TaskTracker _tracker;
    private readonly Stopwatch _runClock;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PushSample> _samples = new(256);
    private readonly List<SucceededArrival> _succeeded = new(64);
    private HttpResponseMessage? _response;
    private StreamReader? _reader;
    private Task? _loop;
    private long _lastId;

    public SseStream(HttpClient http, BenchUser user, TaskTracker tracker, Stopwatch runClock)
    {
        _http = http;
        _user = user;
        _tracker = tracker;
        _runClock = runClock;
    }

    public int Events { get; private set; }
    public int Comments { get; private set; }
    public int Reconnects { get; private set; }

    /// <summary>Events whose id was not above the previous one (a repeat or out of order).</summary>
    public int NotIncreasing { get; private set; }

    /// <summary>Events whose data could not be read as a task.</summary>
    public int Unreadable { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>The samples; read them only after <see cref="DisposeAsync"/>.</summary>
    public IReadOnlyList<PushSample> Samples => _samples;

    /// <summary>Each succeeded event: the task's upstream id and when it arrived; read only after <see cref="DisposeAsync"/>.</summary>
    public IReadOnlyList<SucceededArrival> Succeeded => _succeeded;

    /// <summary>Connects and returns once the server has subscribed the stream (its first block has arrived).</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken);
        _loop = Task.Run(() => ReadLoopAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        Close();
        _stop.Dispose();
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        Close();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/v1/video/events", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _user.Token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (_lastId > 0)
        {
            request.Headers.Add("Last-Event-ID", _lastId.ToString(CultureInfo.InvariantCulture));
        }

        _response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        _response.EnsureSuccessStatusCode();
        _reader = new StreamReader(await _response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8, false, 64 * 1024);

        // The server writes "retry: ..." and a blank line once it has subscribed the stream to live events.
        while (await _reader.ReadLineAsync(cancellationToken) is { Length: > 0 })
        {
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReadEventsAsync(_reader!, cancellationToken);
                LastError = "the server ended the stream";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                LastError = e.Message;
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                Reconnects++;
                try
                {
                    await Task.Delay(ReconnectDelay, cancellationToken);
                    await ConnectAsync(cancellationToken);
                    break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    LastError = e.Message;
                }
            }
        }
    }

    private async Task ReadEventsAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        long? id = null;
        StringBuilder? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    var arrived = DateTimeOffset.UtcNow;
                    Dispatch(id, data.ToString(), arrived, _runClock.Elapsed.TotalSeconds);
                }

                id = null;
                data = null;
                continue;
            }

            if (line[0] == ':')
            {
                Comments++;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "id" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                    id = parsed;
                    break;
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
                default:
                    break; // "event: task", "retry: ..."
            }
        }
    }

    private void Dispatch(long? id, string data, DateTimeOffset arrived, double arrivalSeconds)
    {
        Events++;
        if (id is { } eventId)
        {
            if (eventId <= _lastId)
            {
                NotIncreasing++;
            }

            _lastId = Math.Max(_lastId, eventId);
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            var task = document.RootElement;
            var status = task.GetProperty("status").GetString() ?? "";
            var progress = task.GetProperty("progress").GetInt32();
            var updatedAt = task.GetProperty("updated_at").GetDateTimeOffset();
            var kind = status switch
            {
                "queued" => EventKind.Queued,
                "running" when progress > 0 => EventKind.Progress,
                "running" when task.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String => EventKind.Accepted,
                "running" => EventKind.Started,
                _ => EventKind.Ended,
            };
            _samples.Add(new PushSample((arrived - updatedAt).TotalMilliseconds, kind, arrivalSeconds, id ?? 0, arrived));
            if (status == "succeeded")
            {
                _succeeded.Add(new SucceededArrival(task.GetProperty("upstream_task_id").GetString() ?? "", arrived));
            }

            _tracker.Observe(_user.Id, task.GetProperty("task_id").GetString() ?? "", task.GetProperty("user_id").GetString() ?? "", status, progress);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            Unreadable++;
        }
    }

    private void Close()
    {
        _reader?.Dispose();
        _reader = null;
        _response?.Dispose();
        _response = null;
    }
}
