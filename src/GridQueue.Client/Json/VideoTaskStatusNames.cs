namespace GridQueue.Client.Json;

/// <summary>The wire names of <see cref="VideoTaskStatus"/>, shared by the JSON converter and the list query.</summary>
internal static class VideoTaskStatusNames
{
    public static string ToWire(this VideoTaskStatus status) => status switch
    {
        VideoTaskStatus.Queued => "queued",
        VideoTaskStatus.Running => "running",
        VideoTaskStatus.Succeeded => "succeeded",
        VideoTaskStatus.Failed => "failed",
        VideoTaskStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a task status."),
    };

    public static bool TryParse(string? text, out VideoTaskStatus status)
    {
        (var known, status) = text switch
        {
            "queued" => (true, VideoTaskStatus.Queued),
            "running" => (true, VideoTaskStatus.Running),
            "succeeded" => (true, VideoTaskStatus.Succeeded),
            "failed" => (true, VideoTaskStatus.Failed),
            "cancelled" => (true, VideoTaskStatus.Cancelled),
            _ => (false, default(VideoTaskStatus)),
        };
        return known;
    }
}
