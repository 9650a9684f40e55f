namespace GridQueue.Client.Tests.Infrastructure;

/// <summary>Runs a WatchAsync enumeration in the background and keeps what it yields, for a test to inspect.</summary>
public sealed class WatchRecorder : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<TaskUpdate> _updates = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public WatchRecorder(GridQueueClient client, WatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _run = Task.Run(async () =>
        {
            await foreach (var update in client.WatchAsync(options, _stop.Token))
            {
                lock (_gate)
                {
                    _updates.Add(update);
                }
            }
        });
    }

    public IReadOnlyList<TaskUpdate> Updates
    {
        get
        {
            lock (_gate)
            {
                return [.. _updates];
            }
        }
    }

    /// <summary>Waits until the updates so far satisfy <paramref name="until"/>; fails with what arrived if they never do.</summary>
    public async Task<IReadOnlyList<TaskUpdate>> WaitUntilAsync(Func<IReadOnlyList<TaskUpdate>, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var updates = Updates;
            if (until(updates))
            {
                return updates;
            }

            if (_run.IsCompleted)
            {
                await _run; // surfaces the enumeration's exception
                Assert.Fail("The watch ended by itself.");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The watch did not get there in time; it yielded: {Describe(updates)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Stops the enumeration and returns how it ended.</summary>
    public async Task<Exception?> StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var ended = await StopAsync();
        Assert.True(ended is null or OperationCanceledException, $"The watch failed: {ended}");
        _stop.Dispose();
    }

    public static string Describe(IEnumerable<TaskUpdate> updates) =>
        string.Join(", ", updates.Select(u => $"{u.EventId}:{u.Task.TaskId[^4..]}/{u.Task.Status}/{u.Task.Progress}"));
}
