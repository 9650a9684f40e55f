namespace GridQueue.Tasks.Events;

/// <summary>
/// One change to one task, as stored in the event log: written in the same transaction as the change, numbered by
/// an increasing sequence that is the SSE event id (the resume point).
/// </summary>
/// <param name="Sequence">Positive, increasing with every change on the server.</param>
/// <param name="TaskId">The task that changed.</param>
/// <param name="UserId">Its owner: only this user's streams see the event.</param>
/// <param name="CreatedAt">When the change was stored.</param>
/// <param name="Payload">The whole task object after the change, as JSON (the SSE data line).</param>
public sealed record TaskEvent(long Sequence, string TaskId, string UserId, DateTimeOffset CreatedAt, string Payload);
