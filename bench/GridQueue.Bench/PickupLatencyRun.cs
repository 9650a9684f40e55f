using System.Diagnostics;
using GridQueue.Bench.Shared;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;

namespace GridQueue.Bench;

/// <summary>
/// Phase 2: on the running, idle engine, inserts one probe job at a time and times it from just before the insert
/// call to the moment its handler starts (Stopwatch timestamps at both ends).
/// </summary>
internal static class PickupLatencyRun
{
    /// <summary>
    /// Pause between a probe's pickup and the next insert: long enough for the previous probe's completion and the
    /// producer's follow-up query to finish, so that each probe meets an idle engine.
    /// </summary>
    public static readonly TimeSpan IdleGap = TimeSpan.FromMilliseconds(20);

    /// <summary>Let the engine settle after the throughput phase before the first probe.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    /// <summary>A probe not picked up by then is reported as an error (the idle poll is only 1 s).</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    public static async Task<PickupLatencyResult> RunAsync(JobEngine engine, ProbeHandler handler, int samples)
    {
        await Task.Delay(Settle);
        var latencies = new double[samples];
        var inserts = new double[samples];
        var ids = new List<long>(samples);
        for (var i = 0; i < samples; i++)
        {
            var started = handler.Arm();
            var before = Stopwatch.GetTimestamp();
            var inserted = await engine.InsertAsync(new NewJob(ProbeHandler.Kind, "{}"));
            inserts[i] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
            var (jobId, startedAt) = await started.WaitAsync(ProbeTimeout);
            if (jobId != inserted.Job.Id)
            {
                throw new InvalidOperationException($"Probe {i}: inserted job {inserted.Job.Id} but the handler started job {jobId}.");
            }

            latencies[i] = Stopwatch.GetElapsedTime(before, startedAt).TotalMilliseconds;
            ids.Add(jobId);
            await Task.Delay(IdleGap);
        }

        var pickup = new Percentiles(latencies);
        var insert = new Percentiles(inserts);
        var afterCommit = new Percentiles([.. latencies.Zip(inserts, (total, ins) => total - ins)]);
        Report.Line($"pickup: {pickup.Count} probes, InsertAsync call to handler start: p50 {pickup.At(50):F1} ms, p90 {pickup.At(90):F1} ms, p99 {pickup.At(99):F1} ms, max {pickup.Max:F1} ms");
        Report.Line($"pickup: InsertAsync alone (one committed insert) returned after p50 {insert.At(50):F1} ms, p99 {insert.At(99):F1} ms");
        Report.Line($"pickup: from InsertAsync's return to handler start (the engine's own share): p50 {afterCommit.At(50):F1} ms, p99 {afterCommit.At(99):F1} ms");
        return new PickupLatencyResult(pickup, ids);
    }
}

internal sealed record PickupLatencyResult(Percentiles Pickup, IReadOnlyList<long> ProbeIds);
