namespace GridQueue.Tasks.Events;

/// <summary>
/// What a store that several nodes share can offer the push hub: word that task events were committed, on any node,
/// sent when the writing transaction commits, with the highest sequence that commit wrote. The hub then reads the log
/// after its cursor, so the word only has to say "look now": a lost one costs the hub's one-second poll, a needless one
/// an empty read. The sequence tells the hub what to expect: a committed event the log does not list yet (held back
/// until older writing transactions end, see <see cref="Storage.ITaskStore.EventListAfterAsync"/>) is looked for
/// again within milliseconds rather than at the next word. Without a feed the hub wakes on this process's own commits
/// (<see cref="TaskChangeSignal"/>) and finds other processes' events by polling.
/// </summary>
public interface ITaskEventFeed
{
    /// <summary>
    /// Calls <paramref name="onCommitted"/> whenever events were committed, with the highest sequence committed, or
    /// with 0 when events may have been committed without word (after the feed lost its connection) or the sequence is
    /// not known. Returns once listening, so events committed afterwards are announced. The callback must be quick and
    /// must not throw. Dispose the result to stop.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(Action<long> onCommitted, CancellationToken cancellationToken);
}
