using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Tests.Model;

/// <summary>A task in a given status, for the pure rule and option tests.</summary>
internal static class SampleTasks
{
    public static VideoTask InStatus(VideoTaskStatus status, DateTimeOffset now) => new()
    {
        Id = TaskIds.New(now),
        UserId = "alice",
        Provider = "simulator",
        Model = "sora-2",
        Prompt = "a kite",
        AspectRatio = "16:9",
        Duration = 10,
        Hd = false,
        Images = [],
        Status = status,
        CreatedAt = now,
        UpdatedAt = now,
        ProtectedApiKey = "encrypted",
        Version = 3,
    };
}
