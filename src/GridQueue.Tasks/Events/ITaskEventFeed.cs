namespace GridQueue.Tasks.Events;

/// <summary>
/// What a store that several nodes share can offer the push hub: word that task events were committed, on any node,
/// sent when the writing transaction commits. The hub then reads the log after its cursor, so the word only has to
/// say "look now": a lost one costs the hub's one-second poll, a needless one an empty read. Without a feed the hub
/// wakes on this process's own commits (<see cref="TaskChangeSignal"/>) and finds other processes' events by polling.
/// </summary>
public interface ITaskEventFeed
{
    /// <summary>
    /// Calls <paramref name="onCommitted"/> whenever events were committed, or may have been without word (after the
    /// feed lost its connection). Returns once listening, so events committed afterwards are announced. The callback
    /// must be quick and must not throw. Dispose the result to stop.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(Action onCommitted, CancellationToken cancellationToken);
}
