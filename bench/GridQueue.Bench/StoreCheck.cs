using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Bench;

/// <summary>What the store itself says about the benchmark's jobs, read through the public listing API.</summary>
internal static class StoreCheck
{
    private const int PageSize = 10_000;

    /// <summary>Completed jobs of <paramref name="kind"/>: id to the attempt that completed it. Pages by id.</summary>
    public static async Task<Dictionary<long, int>> CompletedAsync(IJobStore store, string kind)
    {
        var completed = new Dictionary<long, int>();
        var afterId = 0L;
        while (true)
        {
            var page = await store.JobListAsync(new JobListQuery(JobState.Completed, kind, afterId, PageSize), CancellationToken.None);
            foreach (var job in page)
            {
                completed[job.Id] = job.Attempt;
            }

            if (page.Count < PageSize)
            {
                return completed;
            }

            afterId = page[^1].Id;
        }
    }

    /// <summary>
    /// True while a job of <paramref name="kind"/> still waits or runs: a cheap check (two one-row queries) to
    /// poll while the last outcomes are written. A no-op job is never retryable or scheduled unless something went
    /// wrong, which the full count afterwards reports.
    /// </summary>
    public static async Task<bool> AnyPendingAsync(IJobStore store, string kind)
    {
        foreach (var state in (JobState[])[JobState.Running, JobState.Available])
        {
            var page = await store.JobListAsync(new JobListQuery(state, kind, 0, 1), CancellationToken.None);
            if (page.Count > 0)
            {
                return true;
            }
        }

        return false;
    }
}
