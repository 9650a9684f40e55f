namespace GridQueue.Client;

/// <summary>One change of a task from the event stream.</summary>
/// <param name="EventId">The server's event id: increases with every change; the resume point for <see cref="WatchOptions.LastEventId"/>.</param>
/// <param name="Task">The whole task after the change.</param>
public sealed record TaskUpdate(long EventId, VideoTask Task);
