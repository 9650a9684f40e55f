namespace GridQueue.Simulator;

/// <summary>What a task looks like at one moment.</summary>
/// <param name="Status">One of <see cref="SimulatedTaskStatus"/>.</param>
/// <param name="Progress">Percent done, 0..100.</param>
/// <param name="StartedAt">When the task left the queue; null while it is still waiting.</param>
/// <param name="FinishedAt">When the task ended; null while it runs.</param>
/// <param name="FailReason">Why it failed; empty unless the status is FAILURE.</param>
public sealed record SimulatedTaskView(
    string Status,
    int Progress,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string FailReason);
