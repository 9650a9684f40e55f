using GridQueue.Client.Http;

namespace GridQueue.Client.Sse;

/// <summary>
/// One open <c>GET /api/v1/video/events</c> response. Every transport failure while reading comes out as a
/// CONNECTION_FAILED <see cref="GridQueueException"/>, so the reconnect logic has one thing to catch; the caller's
/// cancellation comes out as <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class EventStreamConnection : IDisposable
{
    /// <summary>
    /// The server pings at least every 15 s; three missed pings mean the connection is dead even though no error
    /// arrived (a half-open TCP connection, a proxy that stopped forwarding).
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(45);

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly SseReader _reader;
    private readonly CancellationTokenSource _idle = new();

    public EventStreamConnection(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _body = body;
        _reader = new SseReader(body, () => _idle.CancelAfter(IdleTimeout));
    }

    public Uri? RequestUri => _response.RequestMessage?.RequestUri;

    /// <summary>The server's <c>retry:</c> hint, once it has sent one.</summary>
    public TimeSpan? Retry => _reader.Retry;

    /// <summary>The next event, or null when the server ended the stream.</summary>
    public async Task<SseMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        _idle.CancelAfter(IdleTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _idle.Token);
        try
        {
            return await _reader.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && _idle.IsCancellationRequested)
        {
            throw Failures.StreamIdle(RequestUri, IdleTimeout, e);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e.CancellationToken != cancellationToken)
        {
            // Raised through the linked token: report the caller's own, so their "when (token cancelled)" filters match.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (Exception e) when (Failures.IsTransport(e) && !cancellationToken.IsCancellationRequested)
        {
            throw Failures.ConnectionFailed(RequestUri, e);
        }
        catch (Exception e) when (Failures.IsTransport(e))
        {
            // Cancelling a read aborts the connection, which may surface as a transport error: it is the cancellation.
            throw new OperationCanceledException("The event stream was cancelled.", e, cancellationToken);
        }
    }

    public void Dispose()
    {
        _body.Dispose();
        _response.Dispose();
        _idle.Dispose();
    }
}
