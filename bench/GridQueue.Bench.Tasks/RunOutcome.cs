namespace GridQueue.Bench.Tasks;

/// <summary>Everything one run measured, for <see cref="RunReport"/>.</summary>
internal sealed class RunOutcome
{
    public required TaskBenchOptions Options { get; init; }
    public required TaskTracker Tracker { get; init; }
    public required IReadOnlyList<SseStream> Streams { get; init; }
    public TaskSubmitter? Submitter { get; set; }
    public bool AllEnded { get; set; }
    public TimeSpan SubmitTime { get; set; }
    public TimeSpan RunTime { get; set; }
    public TimeSpan ClientCpu { get; set; }

    /// <summary>More than one node: every push crossed nodes.</summary>
    public bool Clustered { get; init; }

    /// <summary>Each node from its start to the first submit (node 1 first).</summary>
    public IReadOnlyList<NodeResources> NodesAtReady { get; set; } = [];

    /// <summary>Each node from the first submit to the last end (node 1 first).</summary>
    public IReadOnlyList<NodeResources> Nodes { get; set; } = [];

    /// <summary>The number of the node each of <see cref="Streams"/> was open on.</summary>
    public IReadOnlyList<int> StreamNodes { get; init; } = [];

    public int UpstreamSubmissions { get; set; }

    /// <summary>Upstream status queries (polls) from the first submit to the last end.</summary>
    public long Polls { get; set; }

    /// <summary>Polls and server CPU from the end of submitting to the last end: polling alone, no submits.</summary>
    public long PollsAfterSubmit { get; set; }

    public ResourceSummary ServerAfterSubmit { get; set; } = ResourceSummary.Empty;

    /// <summary>Upstream end to the client's succeeded event; null when the run did not get that far.</summary>
    public UpstreamEndLatency? UpstreamEnd { get; set; }
    public IReadOnlyList<string> Lost { get; set; } = [];

    /// <summary>Every task was accepted and ended, and the event stream broke no promise.</summary>
    public bool Succeeded =>
        AllEnded
        && Tracker.SubmitFailed == 0
        && Tracker.EventsAfterEnd == 0
        && Tracker.ProgressWentBack == 0
        && Tracker.EventsOnWrongStream == 0
        && Streams.All(s => s.NotIncreasing == 0 && s.Unreadable == 0);
}
