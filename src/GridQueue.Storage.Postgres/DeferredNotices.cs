namespace GridQueue.Storage.Postgres;

/// <summary>
/// The word a task write scope owes the other nodes once it has committed: the highest task event sequence it
/// appended and the queues that got available jobs in its transaction. Sent by <see cref="CommitNotices"/> after the
/// commit, never on rollback.
/// </summary>
internal sealed class DeferredNotices
{
    private readonly HashSet<string> _queues = new(StringComparer.Ordinal);

    public long EventSequence { get; private set; }

    public IReadOnlyCollection<string> Queues => _queues;

    public void AddEvent(long sequence)
    {
        if (sequence > EventSequence)
        {
            EventSequence = sequence;
        }
    }

    public void AddQueues(IEnumerable<string> queues) => _queues.UnionWith(queues);
}
