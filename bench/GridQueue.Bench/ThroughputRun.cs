using System.Diagnostics;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;

namespace GridQueue.Bench;

/// <summary>
/// Phase 1: inserts the no-op jobs before the engine starts, then times the engine from start until every job has
/// run and is stored completed; then checks with the store that none was lost.
/// </summary>
internal static class ThroughputRun
{
    public const int InsertBatch = 1000;

    /// <summary>Give up waiting when no new job has run (or no outcome has landed) for this long.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(90);

    public static async Task<ThroughputResult> RunAsync(JobEngine engine, NoopHandler handler, int jobs)
    {
        var ids = await InsertAsync(engine, jobs);

        var start = Stopwatch.GetTimestamp();
        await engine.StartAsync(CancellationToken.None);
        var allRan = await WaitForHandlersAsync(handler);
        var allStored = allRan && await WaitUntilStoredAsync(engine);
        var drain = Stopwatch.GetElapsedTime(start);
        if (allRan && allStored)
        {
            var ranAt = Stopwatch.GetElapsedTime(start, await handler.AllHandled);
            Report.Line($"drain: all {jobs} handlers ran after {ranAt.TotalSeconds:F3} s, all stored completed after {drain.TotalSeconds:F3} s");
        }
        else
        {
            var waitingFor = allRan ? "outcomes to be stored" : "handlers to run";
            Report.Line($"drain: gave up after {drain.TotalSeconds:F3} s, stalled {StallTimeout.TotalSeconds:F0} s waiting for {waitingFor}: {handler.Distinct} of {jobs} jobs ran");
        }

        var completed = await StoreCheck.CompletedAsync(engine.Store, NoopHandler.Kind);
        var lost = ids.Count(id => !completed.ContainsKey(id));
        var neverRan = ids.Count(id => !handler.Ran(id));
        var ranTwice = handler.RanMoreThanOnce();
        var reclaimed = completed.Values.Count(attempt => attempt > 1);
        Report.Line($"verify: {jobs - lost} of {jobs} jobs completed in the store, lost {lost}, never ran {neverRan}, ran twice {ranTwice} (completed on attempt > 1: {reclaimed})");

        var jobsPerSecond = Report.PerSecond(jobs, drain);
        Report.Line($"throughput: {jobs} jobs / {drain.TotalSeconds:F3} s = {jobsPerSecond:F0} jobs/s");
        return new ThroughputResult(jobsPerSecond, lost, ranTwice);
    }

    private static async Task<List<long>> InsertAsync(JobEngine engine, int jobs)
    {
        var ids = new List<long>(jobs);
        var start = Stopwatch.GetTimestamp();
        while (ids.Count < jobs)
        {
            var batch = Enumerable.Range(0, Math.Min(InsertBatch, jobs - ids.Count)).Select(_ => new NewJob(NoopHandler.Kind, "{}"));
            var inserted = await engine.InsertManyAsync(batch);
            ids.AddRange(inserted.Select(r => r.Job.Id));
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var batches = (jobs + InsertBatch - 1) / InsertBatch;
        Report.Line($"insert: {jobs} jobs in {batches} InsertManyAsync batches of up to {InsertBatch}, engine not started: {elapsed.TotalSeconds:F3} s = {Report.PerSecond(jobs, elapsed):F0} jobs/s");
        return ids;
    }

    /// <summary>Waits for the last distinct job's handler; false when progress stalls.</summary>
    private static async Task<bool> WaitForHandlersAsync(NoopHandler handler)
    {
        var lastCount = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        while (true)
        {
            var done = await Task.WhenAny(handler.AllHandled, Task.Delay(TimeSpan.FromSeconds(1)));
            if (done == handler.AllHandled)
            {
                return true;
            }

            var count = handler.Distinct;
            if (count != lastCount)
            {
                (lastCount, lastProgress) = (count, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > StallTimeout)
            {
                return false;
            }
        }
    }

    /// <summary>Polls the store (two cheap one-row reads, about every millisecond) until no job waits or runs.</summary>
    private static async Task<bool> WaitUntilStoredAsync(JobEngine engine)
    {
        var start = Stopwatch.GetTimestamp();
        while (await StoreCheck.AnyPendingAsync(engine.Store, NoopHandler.Kind))
        {
            if (Stopwatch.GetElapsedTime(start) > StallTimeout)
            {
                return false;
            }

            await Task.Delay(1);
        }

        return true;
    }
}

internal sealed record ThroughputResult(double JobsPerSecond, int Lost, int RanTwice);
