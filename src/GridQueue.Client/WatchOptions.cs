namespace GridQueue.Client;

/// <summary>What <see cref="GridQueueClient.WatchAsync"/> watches and where it starts.</summary>
public sealed record WatchOptions
{
    /// <summary>Only this task's changes (<c>?task_id=</c>); null for all the caller's tasks.</summary>
    public string? TaskId { get; init; }

    /// <summary>
    /// Resume after this event id (sent as <c>Last-Event-ID</c>): every later change is replayed first, then live ones
    /// follow. Null starts at "now".
    /// </summary>
    public long? LastEventId { get; init; }

    /// <summary>Called each time the stream drops or a reconnect fails, before waiting to reconnect.</summary>
    public Action<Exception>? Disconnected { get; init; }

    /// <summary>
    /// The first wait before reconnecting; null for the server's <c>retry:</c> hint (2 s by default). The wait doubles
    /// while reconnects keep failing, up to 30 s, unless the server sends Retry-After. Never less than 50 ms.
    /// </summary>
    public TimeSpan? ReconnectDelay { get; init; }
}
