using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;

namespace GridQueue.Server.Testing;

/// <summary>One received SSE event: its id and the task object in its data line.</summary>
public sealed record SseEvent(long Id, string Event, JsonElement Data);

/// <summary>
/// A minimal Server-Sent Events reader over a real HTTP connection, as a browser's EventSource would read it:
/// "id:", "event:" and "data:" fields, a blank line ends an event, lines starting with ":" are comments.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>();
    private readonly Task _reader;
    private int _comments;

    private SseClient(HttpClient client, HttpResponseMessage response)
    {
        _client = client;
        Response = response;
        _reader = Task.Run(ReadAsync);
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Comment lines (": ping") seen so far.</summary>
    public int Comments => Volatile.Read(ref _comments);

    public static async Task<SseClient> ConnectAsync(Uri server, string token, string query = "", long? lastEventId = null)
    {
        var client = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/video/events" + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseClient(client, response);
    }

    /// <summary>The next event, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<SseEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No SSE event arrived in time.");
        }
    }

    /// <summary>Reads events until one satisfies <paramref name="until"/>; returns all read, that one included.</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var seen = new List<SseEvent>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var next = await NextAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            seen.Add(next);
            if (until(next))
            {
                return seen;
            }
        }
    }

    /// <summary>Events already received and not yet read, without waiting.</summary>
    public List<SseEvent> Drain()
    {
        var list = new List<SseEvent>();
        while (_events.Reader.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Response.Dispose();
        _client.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
            // The connection was closed on purpose.
        }

        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(await Response.Content.ReadAsStreamAsync(_stop.Token));
            long id = 0;
            string eventName = "message";
            var data = new System.Text.StringBuilder();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        _events.Writer.TryWrite(new SseEvent(id, eventName, JsonDocument.Parse(data.ToString()).RootElement.Clone()));
                    }

                    data.Clear();
                    eventName = "message";
                }
                else if (line.StartsWith(':'))
                {
                    Interlocked.Increment(ref _comments);
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    eventName = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line[6..]);
                }
            }

            _events.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _events.Writer.TryComplete(e);
        }
    }
}
