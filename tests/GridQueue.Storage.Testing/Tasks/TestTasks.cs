using GridQueue.Tasks.Model;

namespace GridQueue.Storage.Testing.Tasks;

/// <summary>Tasks for store-level tests: the n-th one created at <paramref name="now"/>, n seconds apart in id order.</summary>
public static class TestTasks
{
    public static VideoTask New(
        DateTimeOffset now, int n, string userId = "alice", string provider = "simulator", VideoTaskStatus status = VideoTaskStatus.Queued, IReadOnlyList<string>? images = null) => new()
    {
        Id = TaskIds.New(now.AddSeconds(n)),
        UserId = userId,
        Provider = provider,
        Model = "sora-2",
        Prompt = $"kite {n}",
        AspectRatio = "16:9",
        Duration = 10,
        Hd = false,
        Images = images ?? [],
        Status = status,
        CreatedAt = now,
        UpdatedAt = now,
        StartedAt = status == VideoTaskStatus.Running ? now : null,
        Version = 1,
    };
}
