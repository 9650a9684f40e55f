namespace GridQueue.Simulator;

/// <summary>What the simulator has accepted so far, as <c>GET /_simulator/stats</c> reports it.</summary>
/// <param name="Submissions">Created tasks, including those whose response was dropped or replaced by an error.</param>
/// <param name="DroppedResponses">Submits that created a task but aborted the connection instead of answering.</param>
/// <param name="AcceptedThenFailed">Submits that created a task but answered an error status instead of its id.</param>
/// <param name="ByPrompt">Created tasks per prompt, every creation counted (dropped and accepted-then-failed too).</param>
public sealed record SimulatorStats(int Submissions, int DroppedResponses, int AcceptedThenFailed, IReadOnlyDictionary<string, int> ByPrompt)
{
    /// <summary>Task-end callbacks delivered to a notify_hook (any HTTP answer counts).</summary>
    public int CallbacksSent { get; init; }

    /// <summary>Task-end callbacks not sent because of the CallbackDropRate fault.</summary>
    public int CallbacksDropped { get; init; }

    /// <summary>Task-end callbacks whose hook could not be reached.</summary>
    public int CallbacksFailed { get; init; }
}
