namespace GridQueue.Client.Sse;

/// <summary>One dispatched Server-Sent Event.</summary>
/// <param name="Event">The event type (<c>message</c> when the server named none).</param>
/// <param name="Data">The data lines joined with line feeds; empty for a block that only set the id.</param>
/// <param name="Id">The last event id in force when the event was dispatched, if the stream ever set one.</param>
internal sealed record SseMessage(string Event, string Data, string? Id);
