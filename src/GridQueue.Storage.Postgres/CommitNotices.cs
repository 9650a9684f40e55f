using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// Sends the notifications of this node's commits (new task events, queues with new available jobs) after the commit
/// instead of inside the committing transaction: on the committing connection right after the commit where the
/// committer holds one (<see cref="SendNowAsync"/>), else on a connection of its own (<see cref="Post"/>).
/// <para>
/// Why: a transaction that has called <c>pg_notify</c> takes one lock for the whole PostgreSQL server at commit and
/// holds it until the commit is done, log flush included, so every notifying commit of every node waited for the one
/// before it, and durable commits could no longer share a flush. A transaction that only notifies commits without
/// waiting for the log flush (see <see cref="SendAsync"/>) and holds that lock for a moment. Notifications that
/// arrive while one is being sent are merged into the next: the task-event channel needs only the highest sequence,
/// the jobs channel each queue once. The posting connection is not the pool's: when every pooled connection is busy,
/// word of what has committed must not queue behind them. Sending on the committing connection saves the hand-over
/// to that loop (a thread hop, and a wait for the send in flight).
/// </para>
/// <para>
/// The cost: a notification is sent a round trip after the commit, and one is lost if the process stops between
/// the commit and the send, or the send fails. Both listeners treat a notification as "look now" and poll anyway (the
/// push hub once a second, the engine's producers at their fetch interval), so a lost one delays and loses nothing.
/// </para>
/// </summary>
/// <param name="connectionString">The store's connection string; the sender's connection is opened from it, unpooled.</param>
/// <param name="logger">Where a failed send is logged.</param>
internal sealed partial class CommitNotices(string connectionString, ILogger? logger = null)
{
    private const string Send = "SELECT pg_notify(channel, payload) FROM unnest(@channels::text[], @payloads::text[]) AS n(channel, payload)";

    private readonly string _connectionString = Cluster.DedicatedConnection.For(connectionString, "notices");
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _queues = new(StringComparer.Ordinal);
    private long _eventSequence;
    private bool _sending;
    private Task _sender = Task.CompletedTask;
    private volatile bool _stopped;

    /// <summary>Used by one send at a time (the sender loop); opened on first use and again after a failure.</summary>
    private NpgsqlConnection? _connection;

    /// <summary>
    /// Sends word of committed events up to <paramref name="eventSequence"/> (0: none) and of the queues at once, on
    /// <paramref name="connection"/>, whose transaction has just committed: the quickest way, one round trip on a
    /// connection already held. If that fails, the word goes through <see cref="Post"/>.
    /// </summary>
    public async Task SendNowAsync(NpgsqlConnection connection, long eventSequence, IReadOnlyCollection<string> queues)
    {
        if (eventSequence == 0 && queues.Count == 0)
        {
            return;
        }

        try
        {
            await SendAsync(connection, eventSequence, [.. queues]).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogSendFailed(e);
            Post(eventSequence, queues);
        }
    }

    /// <summary>Sends, soon, word of committed events up to <paramref name="eventSequence"/> (0: none) and of the queues.</summary>
    public void Post(long eventSequence, IEnumerable<string> queues)
    {
        lock (_gate)
        {
            if (eventSequence > _eventSequence)
            {
                _eventSequence = eventSequence;
            }

            _queues.UnionWith(queues);
            if (_sending || _stopped || (_eventSequence == 0 && _queues.Count == 0))
            {
                return;
            }

            _sending = true;
            _sender = Task.Run(SendAllAsync);
        }
    }

    /// <summary>Sends what is posted, then stops sending (before the pool closes).</summary>
    public void Stop()
    {
        Task sender;
        lock (_gate)
        {
            _stopped = true;
            sender = _sender;
        }

        sender.GetAwaiter().GetResult();
        _connection?.Dispose();
        _connection = null;
    }

    private async Task SendAllAsync()
    {
        while (true)
        {
            long eventSequence;
            string[] queues;
            lock (_gate)
            {
                if (_eventSequence == 0 && _queues.Count == 0)
                {
                    _sending = false;
                    return;
                }

                eventSequence = _eventSequence;
                queues = [.. _queues];
                _eventSequence = 0;
                _queues.Clear();
            }

            try
            {
                await SendAsync(await SenderConnectionAsync().ConfigureAwait(false), eventSequence, queues).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException or TimeoutException)
            {
                // The listeners poll as well (see the class comment): this word is late, nothing is lost.
                LogSendFailed(e);
                if (_connection is { } broken)
                {
                    _connection = null;
                    await broken.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The sender loop's own connection, opened on first use and again after a failure.</summary>
    private async Task<NpgsqlConnection> SenderConnectionAsync()
    {
        if (_connection is null)
        {
            var connection = new NpgsqlConnection(_connectionString);
            try
            {
                await connection.OpenAsync().ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _connection = connection;
        }

        return _connection;
    }

    private static async Task SendAsync(NpgsqlConnection connection, long eventSequence, string[] queues)
    {
        var channels = new List<string>(queues.Length + 1);
        var payloads = new List<string>(queues.Length + 1);
        if (eventSequence > 0)
        {
            channels.Add(NodeListener.TaskEventsChannel);
            payloads.Add(eventSequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var queue in queues)
        {
            channels.Add(NodeListener.JobsChannel);
            payloads.Add(queue);
        }

        // pg_notify gives its transaction an xid, so its commit writes a commit record; with the commit relaxed it does
        // not wait for the log flush while it holds the server-wide notify lock. Notifications never outlive a crash
        // of the database server anyway, so the flush bought nothing.
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SqlText.BookkeepingCommit));
        var send = new NpgsqlBatchCommand(Send);
        send.Parameters.AddWithValue("channels", channels.ToArray());
        send.Parameters.AddWithValue("payloads", payloads.ToArray());
        batch.BatchCommands.Add(send);
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending word of committed changes to the other nodes failed; they find the changes by polling.")]
    private partial void LogSendFailed(Exception exception);
}
