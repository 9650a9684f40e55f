using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Storage;

/// <summary>
/// Turns what a backend's batch statements return (rows for the jobs they touched, in no particular order) into the
/// answers <see cref="IJobStore"/> promises: one per item asked about, in the order asked.
/// </summary>
public static class JobStoreResults
{
    /// <summary>Sorts claimed jobs into claim order (priority, scheduled time, id): RETURNING gives no order.</summary>
    public static List<Job> InClaimOrder(List<Job> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        jobs.Sort(static (a, b) =>
        {
            var byPriority = a.Priority.CompareTo(b.Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }

            var byTime = a.ScheduledAt.CompareTo(b.ScheduledAt);
            return byTime != 0 ? byTime : a.Id.CompareTo(b.Id);
        });
        return jobs;
    }

    /// <param name="written">The state each applied finalization wrote, by job id.</param>
    /// <param name="current">The current state of the jobs whose finalization was not applied (deleted jobs absent).</param>
    public static List<JobFinalizeResult> Finalized(
        IReadOnlyList<JobFinalization> finalizations, IReadOnlyDictionary<long, JobState> written, IReadOnlyDictionary<long, JobState> current)
    {
        ArgumentNullException.ThrowIfNull(finalizations);
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(current);
        return finalizations.Select(f => written.TryGetValue(f.Id, out var state)
            ? new JobFinalizeResult(f.Id, true, state)
            : new JobFinalizeResult(f.Id, false, current.TryGetValue(f.Id, out var now) ? now : null)).ToList();
    }

    /// <param name="held">For each lease still held, whether a cancel was requested, by job id.</param>
    public static List<JobLeaseStatus> LeaseStatuses(IReadOnlyList<JobLease> leases, IReadOnlyDictionary<long, bool> held)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(held);
        return [.. leases.Select(l => held.TryGetValue(l.Id, out var cancel)
            ? new JobLeaseStatus(l.Id, Held: true, CancelRequested: cancel)
            : new JobLeaseStatus(l.Id, Held: false, CancelRequested: false))];
    }
}
