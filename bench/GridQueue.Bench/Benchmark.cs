using System.Runtime;
using System.Runtime.InteropServices;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Options;

namespace GridQueue.Bench;

/// <summary>
/// Runs both phases on one engine per --workers value, each on a fresh database, and prints the report; the last line
/// is the one-line summary.
/// </summary>
internal static class Benchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        Report.Line($"GridQueue benchmark");
        Report.Line($"machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Report.Line($"run: {options.Jobs} no-op jobs, then {options.LatencySamples} single-job pickups with {PickupLatencyRun.IdleGap.TotalMilliseconds:F0} ms idle between");

        var results = new List<SettingResult>(options.Workers.Count);
        foreach (var workers in options.Workers)
        {
            if (options.Workers.Count > 1)
            {
                Report.Line($"");
                Report.Line($"--- MaxWorkers {workers} ---");
            }

            results.Add(await RunOneAsync(options, workers));
        }

        if (options.Workers.Count > 1)
        {
            Report.Line($"");
            foreach (var r in results)
            {
                Report.Line($"engine {r.StoreName}, {r.Workers} workers: {Math.Round(r.JobsPerSecond):F0} jobs/s, pickup p50 {r.PickupP50:F1} ms, p99 {r.PickupP99:F1} ms, lost {r.Lost}, ran twice {r.RanTwice}");
            }
        }

        // The usual summary line comes last: for the default setting when the list holds it, else for the last one.
        var summary = results.Find(r => r.Workers == BenchOptions.DefaultWorkers) ?? results[^1];
        Report.Line($"engine {summary.StoreName}: {Math.Round(summary.JobsPerSecond):F0} jobs/s, pickup p50 {summary.PickupP50:F1} ms, p99 {summary.PickupP99:F1} ms");
        return results.Exists(r => r.Lost > 0) ? 1 : 0;
    }

    private static async Task<SettingResult> RunOneAsync(BenchOptions options, int workers)
    {
        await using var bench = BenchStores.Create(options);
        Report.Line($"{bench.Describe()}");

        var engineOptions = new JobEngineOptions { MaxWorkers = workers, NodeId = "bench" };
        Report.Line($"engine: MaxWorkers {engineOptions.MaxWorkers}, PollInterval {engineOptions.PollInterval.TotalSeconds:F1} s, other options default");

        var noop = new NoopHandler(options.Jobs);
        var probe = new ProbeHandler();
        var handlers = new JobHandlerRegistry().Add(NoopHandler.Kind, noop).Add(ProbeHandler.Kind, probe);

        // Jobs go in before the engine starts, so the schema must exist first (StartAsync migrates again: a no-op).
        await bench.Store.MigrateAsync(CancellationToken.None);

        ThroughputResult throughput;
        PickupLatencyResult latency;
        await using (var engine = new JobEngine(bench.Store, engineOptions, handlers))
        {
            throughput = await ThroughputRun.RunAsync(engine, noop, options.Jobs);
            latency = await PickupLatencyRun.RunAsync(engine, probe, options.LatencySamples);
            await engine.StopAsync(CancellationToken.None);
        }

        // After the graceful stop every outcome has been written.
        var probesCompleted = await StoreCheck.CompletedAsync(bench.Store, ProbeHandler.Kind);
        var probesLost = latency.ProbeIds.Count(id => !probesCompleted.ContainsKey(id));
        var lost = throughput.Lost + probesLost;
        Report.Line($"probes: {latency.ProbeIds.Count - probesLost} of {latency.ProbeIds.Count} completed in the store after stop");
        Report.Line($"result: lost {lost}, ran twice {throughput.RanTwice}{(lost > 0 ? " -- FAILED: jobs were lost" : "")}");
        return new SettingResult(bench.Store.Name, workers, throughput.JobsPerSecond, latency.Pickup.At(50), latency.Pickup.At(99), lost, throughput.RanTwice);
    }

    /// <summary>One --workers value's figures, for the sweep's lines and the summary.</summary>
    private sealed record SettingResult(string StoreName, int Workers, double JobsPerSecond, double PickupP50, double PickupP99, int Lost, int RanTwice);
}
