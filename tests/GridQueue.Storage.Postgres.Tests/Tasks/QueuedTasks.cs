using GridQueue.Tasks.Model;

namespace GridQueue.Storage.Postgres.Tests.Tasks;

/// <summary>A freshly generated task of alice's, as the PostgreSQL store tests write them directly.</summary>
internal static class QueuedTasks
{
    public static VideoTask New(DateTimeOffset createdAt, string prompt) => new()
    {
        Id = TaskIds.New(createdAt),
        UserId = "alice",
        Provider = "simulator",
        Model = "sora-2",
        Prompt = prompt,
        AspectRatio = "16:9",
        Duration = 10,
        Hd = false,
        Images = [],
        Status = VideoTaskStatus.Queued,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        Version = 1,
    };
}
