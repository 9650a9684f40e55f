namespace GridQueue.Client.Tests.Infrastructure;

/// <summary>
/// A handler in the test's HttpClient that counts event-stream responses with status 200. The server subscribes
/// before it sends the headers, so once a 200 arrived here, every later change reaches that connection: a test can
/// start changing tasks without sleeping and hoping.
/// </summary>
public sealed class EventStreamOpenings : DelegatingHandler
{
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private int _count;

    public EventStreamOpenings()
        : base(new SocketsHttpHandler())
    {
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>An HttpClient for <paramref name="server"/> through a new counter.</summary>
    public static (HttpClient Http, EventStreamOpenings Openings) CreateClient(Uri server, TimeSpan? timeout = null)
    {
        var openings = new EventStreamOpenings();
        return (new HttpClient(openings) { BaseAddress = server, Timeout = timeout ?? TimeSpan.FromSeconds(30) }, openings);
    }

    /// <summary>Completes when at least <paramref name="count"/> event streams have opened.</summary>
    public async Task WaitForAsync(int count, TimeSpan? timeout = null)
    {
        Task waiting;
        lock (_gate)
        {
            if (_count >= count)
            {
                return;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            waiting = done.Task;
        }

        try
        {
            await waiting.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Expected {count} event stream connection(s), saw {Count}.");
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath.EndsWith("/events", StringComparison.Ordinal) && response.IsSuccessStatusCode)
        {
            lock (_gate)
            {
                _count++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _count).ToList())
                {
                    waiter.Done.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        return response;
    }
}
