namespace GridQueue.Bench.Tasks;

/// <summary>What the client knows about one task: from its generate response and from its SSE events.</summary>
internal sealed class TrackedTask(string taskId, string userId)
{
    public string TaskId { get; } = taskId;
    public string UserId { get; } = userId;

    /// <summary>The generate request answered 200 with this task.</summary>
    public bool Accepted { get; set; }

    /// <summary>succeeded, failed or cancelled once an event said so.</summary>
    public string? EndStatus { get; set; }

    public string LastStatus { get; set; } = "";
    public int LastProgress { get; set; }
    public int Events { get; set; }
}
