namespace GridQueue.Client;

/// <summary>One page of the caller's tasks, newest first.</summary>
/// <param name="Items">The tasks on this page.</param>
/// <param name="NextCursor">Pass to <see cref="GridQueueClient.ListAsync"/> for the next page; null on the last page.</param>
public sealed record TaskPage(IReadOnlyList<VideoTask> Items, string? NextCursor);
