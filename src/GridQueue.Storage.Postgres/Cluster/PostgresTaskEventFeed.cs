using System.Globalization;
using GridQueue.Tasks.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>
/// <see cref="ITaskEventFeed"/> on PostgreSQL: one connection per node LISTENs on <see cref="Channel"/>, on which the
/// task store's event appends send NOTIFY inside their transaction with the event's sequence as payload; PostgreSQL
/// delivers it at commit, so the hub is never woken for events that are not committed. When the connection drops the feed reconnects after a pause that doubles
/// up to a limit, and then wakes every subscriber once: what was committed meanwhile is read from the event log, as
/// after any wake-up. The connection opens for the first subscriber.
/// </summary>
public sealed partial class PostgresTaskEventFeed : ITaskEventFeed, IAsyncDisposable
{
    /// <summary>The channel task event appends notify.</summary>
    public const string Channel = "gq_task_events";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly string _connectionString;
    private readonly TimeSpan _maxRetryDelay;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Action<long>> _subscribers = [];
    private Task? _loop;
    private TaskCompletionSource? _listening;
    private int _processId;
    private long _connections;

    /// <param name="connectionString">The database's connection string (the feed opens its own, unpooled connection).</param>
    /// <param name="maxRetryDelay">The longest pause between attempts to reconnect.</param>
    public PostgresTaskEventFeed(string connectionString, TimeSpan maxRetryDelay, ILogger<PostgresTaskEventFeed>? logger = null)
    {
        _connectionString = DedicatedConnection.For(connectionString, "task-events");
        _maxRetryDelay = maxRetryDelay < FirstRetryDelay ? FirstRetryDelay : maxRetryDelay;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The server process of the listening connection, 0 while there is none (tests end it to test reconnects).</summary>
    internal int ProcessId => Volatile.Read(ref _processId);

    /// <summary>How many times the listening connection was opened and its LISTEN issued.</summary>
    internal long Connections => Interlocked.Read(ref _connections);

    public async Task<IAsyncDisposable> SubscribeAsync(Action<long> onCommitted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onCommitted);
        Task listening;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _subscribers.Add(onCommitted);
            if (_loop is null)
            {
                _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _loop = Task.Run(() => ListenAsync(_listening, _stop.Token), CancellationToken.None);
            }

            listening = _listening!.Task;
        }

        try
        {
            await listening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Remove(onCommitted);
            throw;
        }

        return new Subscription(this, onCommitted);
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            loop = _loop;
            _stop.Cancel();
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task ListenAsync(TaskCompletionSource listening, CancellationToken stopping)
    {
        var retryDelay = FirstRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(stopping).ConfigureAwait(false);
                connection.Notification += (_, e) => Publish(long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : 0);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                }

                Volatile.Write(ref _processId, connection.ProcessID);
                Interlocked.Increment(ref _connections);
                retryDelay = FirstRetryDelay;
                if (!listening.TrySetResult())
                {
                    // A reconnect: events committed while no connection listened sent word to nobody.
                    Publish(0);
                }

                while (true)
                {
                    await connection.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!listening.Task.IsCompleted)
            {
                // The first subscriber learns that listening failed (the database is unreachable at start); a later
                // subscriber tries again.
                lock (_gate)
                {
                    _loop = null;
                }

                listening.TrySetException(e);
                return;
            }
            catch (Exception e)
            {
                Volatile.Write(ref _processId, 0);
                LogConnectionLost(e, retryDelay);
            }

            try
            {
                await Task.Delay(retryDelay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            retryDelay = retryDelay * 2 < _maxRetryDelay ? retryDelay * 2 : _maxRetryDelay;
        }
    }

    private void Publish(long committed)
    {
        Action<long>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(committed);
        }
    }

    private void Remove(Action<long> onCommitted)
    {
        lock (_gate)
        {
            _subscribers.Remove(onCommitted);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connection listening for task events of other nodes was lost; reconnecting in {Delay} (until then they are seen by polling).")]
    private partial void LogConnectionLost(Exception exception, TimeSpan delay);

    private sealed class Subscription(PostgresTaskEventFeed feed, Action<long> onCommitted) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            feed.Remove(onCommitted);
            return ValueTask.CompletedTask;
        }
    }
}
