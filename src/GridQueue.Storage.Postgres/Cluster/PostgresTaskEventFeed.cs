using System.Globalization;
using GridQueue.Tasks.Events;

namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>
/// <see cref="ITaskEventFeed"/> on PostgreSQL: the node's listening connection (<see cref="NodeListener"/>, shared with
/// the job store's wake-ups) hears <see cref="Channel"/>, on which a task write scope announces the highest sequence it
/// committed, right after its commit (<see cref="CommitNotices"/>). After the listening connection was lost and
/// opened again, every subscriber is woken once with no sequence: what was committed meanwhile is read from the event
/// log, as after any wake-up.
/// </summary>
public sealed class PostgresTaskEventFeed : ITaskEventFeed
{
    /// <summary>The channel task event commits are announced on.</summary>
    public const string Channel = NodeListener.TaskEventsChannel;

    private readonly NodeListener _listener;

    /// <param name="store">The node's job store, whose listening connection the feed shares.</param>
    public PostgresTaskEventFeed(PostgresJobStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _listener = store.Listener;
    }

    /// <summary>The server process of the listening connection, 0 while there is none (tests end it to test reconnects).</summary>
    internal int ProcessId => _listener.ProcessId;

    /// <summary>How many times the listening connection was opened.</summary>
    internal long Connections => _listener.Connections;

    public Task<IAsyncDisposable> SubscribeAsync(Action<long> onCommitted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onCommitted);
        return _listener.SubscribeAsync(
            Channel,
            payload => onCommitted(long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : 0),
            cancellationToken);
    }
}
