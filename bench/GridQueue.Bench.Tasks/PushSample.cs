namespace GridQueue.Bench.Tasks;

/// <summary>What kind of change an SSE event reports.</summary>
internal enum EventKind
{
    /// <summary>The task was stored (generate).</summary>
    Queued,

    /// <summary>queued → running, submit to the provider in flight.</summary>
    Started,

    /// <summary>The provider accepted the submit (upstream id stored).</summary>
    Accepted,

    /// <summary>Progress rose.</summary>
    Progress,

    /// <summary>succeeded, failed or cancelled.</summary>
    Ended,
}

/// <summary>
/// One push latency sample: the time from the event's <c>updated_at</c> (written by the server) to the moment the
/// client had read the whole event, both from this machine's clock.
/// </summary>
/// <param name="LatencyMs">Arrival minus updated_at, in milliseconds.</param>
/// <param name="Kind">What the event reports.</param>
/// <param name="ArrivalSeconds">Arrival time, seconds since the first submit.</param>
/// <param name="EventId">The SSE event id (the server's event sequence).</param>
/// <param name="Arrived">Arrival time on the machine clock.</param>
internal readonly record struct PushSample(double LatencyMs, EventKind Kind, double ArrivalSeconds, long EventId, DateTimeOffset Arrived);
