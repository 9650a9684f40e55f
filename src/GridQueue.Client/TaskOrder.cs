namespace GridQueue.Client;

/// <summary>
/// Which of two states of one task is later, from the contract's rules alone (the task object carries no version):
/// a retry raises the attempt; within an attempt the status only moves forward (queued, running, terminal) and
/// progress never decreases; the last tie-breaker is updated_at.
/// </summary>
internal static class TaskOrder
{
    public static bool IsNewer(VideoTask candidate, VideoTask than)
    {
        var order = candidate.Attempt.CompareTo(than.Attempt);
        if (order == 0)
        {
            order = Rank(candidate.Status).CompareTo(Rank(than.Status));
        }

        if (order == 0)
        {
            order = candidate.Progress.CompareTo(than.Progress);
        }

        if (order == 0)
        {
            order = candidate.UpdatedAt.CompareTo(than.UpdatedAt);
        }

        return order > 0;
    }

    private static int Rank(VideoTaskStatus status) => status switch
    {
        VideoTaskStatus.Queued => 0,
        VideoTaskStatus.Running => 1,
        _ => 2,
    };
}
