namespace GridQueue.Simulator;

/// <summary>The status strings of the unified format, as the simulator sends them.</summary>
public static class SimulatedTaskStatus
{
    public const string NotStart = "NOT_START";
    public const string Queued = "QUEUED";
    public const string InProgress = "IN_PROGRESS";
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
}
