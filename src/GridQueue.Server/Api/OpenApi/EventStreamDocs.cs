namespace GridQueue.Server.Api.OpenApi;

/// <summary>The event stream's format, which an OpenAPI schema cannot express, for the route's description.</summary>
public static class EventStreamDocs
{
    public const string ContentType = "text/event-stream";

    public const string Description =
        "A text/event-stream of every change to the caller's tasks. Each change is one event: `id: <sequence>`, "
        + "`event: task`, `data: <the whole task object as JSON, the Task schema>`. The id increases with every change on "
        + "the server and is the resume point. The stream opens with `retry: 2000` and `id: <resume point>` in one "
        + "block without data. A comment line `: ping` comes at least every 15 s. Reconnecting with Last-Event-ID (or "
        + "last_event_id) replays every change after it, in order, then continues live; changes are kept at least 24 h.";
}
