using System.Collections.Concurrent;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// Collects changes that arrive while a group is being written and hands them to the writer together, so that poll
/// results of many tasks share one transaction, one commit and one wake-up of the push hub. Nothing waits to fill a
/// group: the first change starts a writer at once, and what queues up while that writer waits for the database
/// becomes the next group. One writer at a time, so changes of one task are written in the order they came.
/// </summary>
/// <param name="writeGroup">Writes a group and completes every change in it; must not throw.</param>
internal sealed class TaskChangeGroup(Func<IReadOnlyList<PendingTaskChange>, Task> writeGroup)
{
    /// <summary>At most this many changes in one transaction, so one commit never holds the database for long.</summary>
    public const int MaxGroupSize = 64;

    private readonly ConcurrentQueue<PendingTaskChange> _queue = new();
    private int _writing;

    public Task<Model.VideoTask?> SubmitAsync(PendingTaskChange change)
    {
        _queue.Enqueue(change);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            // A task of its own: the caller that happens to arrive first must not end up writing everyone's changes.
            _ = Task.Run(DrainAsync);
        }

        return change.Completion.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            while (!_queue.IsEmpty)
            {
                var group = new List<PendingTaskChange>(Math.Min(_queue.Count, MaxGroupSize));
                while (group.Count < MaxGroupSize && _queue.TryDequeue(out var change))
                {
                    group.Add(change);
                }

                await writeGroup(group).ConfigureAwait(false);
            }

            Volatile.Write(ref _writing, 0);

            // A change queued after the last look but before the flag was cleared found a writer still running and
            // started none: take it on here.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
            {
                return;
            }
        }
    }
}

/// <summary>One change waiting for its group: which task, the rule to apply, and where its result goes.</summary>
internal sealed record PendingTaskChange(
    string TaskId, int Attempt, Func<Model.VideoTask, DateTimeOffset, Model.VideoTask?> Rule, CancellationToken CancellationToken)
{
    public TaskCompletionSource<Model.VideoTask?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
