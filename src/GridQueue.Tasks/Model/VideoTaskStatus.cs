namespace GridQueue.Tasks.Model;

/// <summary>A task's status as clients see it (docs/ARCHITECTURE.md, "Task status rules").</summary>
public enum VideoTaskStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>The wire names of <see cref="VideoTaskStatus"/> ("queued", "running", ...).</summary>
public static class VideoTaskStatusNames
{
    public static string ToWire(this VideoTaskStatus status) => status switch
    {
        VideoTaskStatus.Queued => "queued",
        VideoTaskStatus.Running => "running",
        VideoTaskStatus.Succeeded => "succeeded",
        VideoTaskStatus.Failed => "failed",
        VideoTaskStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Parses a wire name exactly (lower case, as the contract writes them).</summary>
    public static bool TryParse(string? value, out VideoTaskStatus status)
    {
        switch (value)
        {
            case "queued": status = VideoTaskStatus.Queued; return true;
            case "running": status = VideoTaskStatus.Running; return true;
            case "succeeded": status = VideoTaskStatus.Succeeded; return true;
            case "failed": status = VideoTaskStatus.Failed; return true;
            case "cancelled": status = VideoTaskStatus.Cancelled; return true;
            default: status = default; return false;
        }
    }

    public static bool IsTerminal(this VideoTaskStatus status) =>
        status is VideoTaskStatus.Succeeded or VideoTaskStatus.Failed or VideoTaskStatus.Cancelled;
}
