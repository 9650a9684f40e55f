namespace GridQueue.Engine.Storage;

/// <summary>
/// What a store that can push offers besides <see cref="IJobStore"/>: word that jobs became available, from any node,
/// sent when the inserting transaction commits (never before: a producer woken for work it cannot yet see would
/// claim nothing and sleep until its next poll). The engine subscribes when the store implements it; without it,
/// the engine wakes on its own inserts at once and finds other nodes' jobs by polling.
/// </summary>
public interface IJobAvailabilityFeed
{
    /// <summary>
    /// Calls <paramref name="onAvailable"/> with a queue's name whenever jobs of that queue became available, or with
    /// null when any queue may have work (for example after announcements were missed). Returns once listening, so
    /// work committed afterwards is announced. Dispose the result to stop.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(Action<string?> onAvailable, CancellationToken cancellationToken);
}
