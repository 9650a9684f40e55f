using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// The node's one listening connection: it LISTENs on every channel the nodes notify (<see cref="Channels"/>: new
/// available jobs, committed task events) and hands each notification to that channel's subscribers. The connection
/// is not the pool's (it would hold a pooled connection for good) and sends keep-alives, so a peer that vanished is
/// noticed while it idles. It opens for the first subscriber; when it drops it is opened again after a pause that
/// doubles from <see cref="FirstRetryDelay"/> up to a limit, and then every subscriber of every channel is called
/// once with no payload: what was notified meanwhile went to nobody, and listeners read their tables as after any
/// wake-up. Notifications are "look now"; everyone also polls, so a lost one costs a poll interval.
/// </summary>
internal sealed partial class NodeListener : IAsyncDisposable
{
    /// <summary>New available jobs; the payload is the queue.</summary>
    public const string JobsChannel = "gq_jobs_available";

    /// <summary>Committed task events; the payload is the highest sequence committed.</summary>
    public const string TaskEventsChannel = "gq_task_events";

    public static readonly IReadOnlyList<string> Channels = [JobsChannel, TaskEventsChannel];

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly string _connectionString;
    private readonly TimeSpan _maxRetryDelay;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(string Channel, Action<string?> Handler)> _subscribers = [];
    private Task? _loop;
    private TaskCompletionSource? _listening;
    private int _processId;
    private long _connections;

    /// <param name="connectionString">The database's connection string (the listener opens its own, unpooled connection).</param>
    /// <param name="maxRetryDelay">The longest pause between attempts to reconnect.</param>
    /// <param name="logger">Where a lost connection is logged.</param>
    public NodeListener(string connectionString, TimeSpan maxRetryDelay, ILogger? logger = null)
    {
        _connectionString = Cluster.DedicatedConnection.For(connectionString, "listen");
        _maxRetryDelay = maxRetryDelay < FirstRetryDelay ? FirstRetryDelay : maxRetryDelay;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The server process of the listening connection, 0 while there is none (tests end it to test reconnects).</summary>
    public int ProcessId => Volatile.Read(ref _processId);

    /// <summary>How many times the listening connection was opened and its LISTENs issued.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>
    /// Calls <paramref name="onNotified"/> with the payload of each notification on <paramref name="channel"/>, and
    /// with null after a reconnect. Returns once listening; fails when the first connection cannot be opened. The
    /// callback must be quick and must not throw. Dispose the result to stop.
    /// </summary>
    public async Task<IAsyncDisposable> SubscribeAsync(string channel, Action<string?> onNotified, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onNotified);
        if (!Channels.Contains(channel))
        {
            throw new ArgumentException($"'{channel}' is not a channel the nodes notify.", nameof(channel));
        }

        var subscriber = (channel, onNotified);
        Task listening;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _subscribers.Add(subscriber);
            if (_loop is null)
            {
                _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var first = _listening;
                _loop = Task.Run(() => ListenAsync(first, _stop.Token), CancellationToken.None);
            }

            listening = _listening!.Task;
        }

        try
        {
            await listening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Remove(subscriber);
            throw;
        }

        return new Subscription(this, subscriber);
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
                connection.Notification += (_, e) => Publish(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand(string.Join("; ", Channels.Select(c => $"LISTEN {c}")), connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                }

                Volatile.Write(ref _processId, connection.ProcessID);
                Interlocked.Increment(ref _connections);
                retryDelay = FirstRetryDelay;
                if (!listening.TrySetResult())
                {
                    // A reconnect: what was notified while no connection listened went to nobody.
                    PublishToAll();
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

    private void Publish(string channel, string payload)
    {
        foreach (var (subscribed, handler) in Snapshot())
        {
            if (subscribed == channel)
            {
                handler(payload);
            }
        }
    }

    private void PublishToAll()
    {
        foreach (var (_, handler) in Snapshot())
        {
            handler(null);
        }
    }

    private (string Channel, Action<string?> Handler)[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _subscribers];
        }
    }

    private void Remove((string Channel, Action<string?> Handler) subscriber)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscriber);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connection listening for other nodes' new jobs and task events was lost; reconnecting in {Delay} (until then they are seen by polling).")]
    private partial void LogConnectionLost(Exception exception, TimeSpan delay);

    private sealed class Subscription(NodeListener listener, (string Channel, Action<string?> Handler) subscriber) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            listener.Remove(subscriber);
            return ValueTask.CompletedTask;
        }
    }
}
