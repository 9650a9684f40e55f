using GridQueue.Tasks.Events;

namespace GridQueue.Tasks.Storage;

/// <summary>
/// How much one read of the event log may return: at most <see cref="Limit"/> events, and no event is added once the
/// page's payloads pass <see cref="MaxBytes"/> (at least one event always comes, so a page always moves on). A count
/// alone does not bound memory: one event of a task with data: images carries megabytes.
/// </summary>
/// <remarks>
/// Payload bytes are counted as characters: the task JSON escapes everything outside ASCII, so the two are equal
/// (a string holds them in twice as many bytes of memory).
/// </remarks>
public readonly record struct EventPageSize(int Limit, long MaxBytes)
{
    /// <summary>Whether a store may add another event to a page holding <paramref name="count"/> events of <paramref name="bytes"/>.</summary>
    public bool HasRoom(int count, long bytes) => count < Limit && bytes <= MaxBytes;

    /// <summary>True when <paramref name="page"/> was cut by count or bytes, so more events may follow it.</summary>
    public bool IsFull(IReadOnlyList<TaskEvent> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        long bytes = 0;
        foreach (var taskEvent in page)
        {
            bytes += taskEvent.Payload.Length;
        }

        return !HasRoom(page.Count, bytes);
    }
}
