using Npgsql;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// The store's LISTEN connection: inserts send NOTIFY on <see cref="Channel"/> with the queue's name, which PostgreSQL
/// delivers when (and only if) the inserting transaction commits, to every node listening. One dedicated connection
/// per store, opened for the first subscriber; when it breaks it is opened again, and every subscriber is told that
/// any queue may have work (notifications sent meanwhile are lost; a producer that looks needlessly costs one claim).
/// </summary>
internal sealed class JobListener(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public const string Channel = "gq_jobs_available";

    private static readonly TimeSpan ReconnectPause = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly List<Action<string?>> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private TaskCompletionSource? _listening;

    public async Task<IAsyncDisposable> SubscribeAsync(Action<string?> onAvailable, CancellationToken cancellationToken)
    {
        Task listening;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _subscribers.Add(onAvailable);
            if (_loop is null)
            {
                _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _loop = Task.Run(LoopAsync, CancellationToken.None);
            }

            listening = _listening!.Task;
        }

        await listening.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Subscription(this, onAvailable);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var first = true;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(_stop.Token).ConfigureAwait(false);
                connection.Notification += (_, e) => Publish(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token).ConfigureAwait(false);
                }

                _listening!.TrySetResult();
                if (!first)
                {
                    Publish(null);
                }

                first = false;
                while (true)
                {
                    await connection.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException ex)
            {
                // The first subscriber learns that listening failed; later breaks are retried after a pause.
                if (first)
                {
                    _listening!.TrySetException(ex);
                    lock (_gate)
                    {
                        _loop = null;
                    }

                    return;
                }

                await Task.Delay(ReconnectPause, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void Publish(string? queue)
    {
        Action<string?>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(queue);
        }
    }

    private void Unsubscribe(Action<string?> onAvailable)
    {
        lock (_gate)
        {
            _subscribers.Remove(onAvailable);
        }
    }

    private sealed class Subscription(JobListener listener, Action<string?> onAvailable) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            listener.Unsubscribe(onAvailable);
            return ValueTask.CompletedTask;
        }
    }
}
