namespace GridQueue.Simulator;

/// <summary>What the simulator has accepted so far, as <c>GET /_simulator/stats</c> reports it.</summary>
/// <param name="Submissions">Accepted submits, including those whose response was dropped.</param>
/// <param name="DroppedResponses">Submits that created a task but aborted the connection instead of answering.</param>
/// <param name="ByPrompt">Accepted submits per prompt.</param>
public sealed record SimulatorStats(int Submissions, int DroppedResponses, IReadOnlyDictionary<string, int> ByPrompt);
