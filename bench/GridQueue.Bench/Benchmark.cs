using System.Runtime;
using System.Runtime.InteropServices;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Options;

namespace GridQueue.Bench;

/// <summary>Runs both phases on one engine and prints the report; the last line is the one-line summary.</summary>
internal static class Benchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        Report.Line($"GridQueue benchmark");
        Report.Line($"machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");

        await using var bench = BenchStores.Create(options);
        Report.Line($"{bench.Describe()}");

        var engineOptions = new JobEngineOptions { MaxWorkers = options.Workers, NodeId = "bench" };
        Report.Line($"engine: MaxWorkers {engineOptions.MaxWorkers}, PollInterval {engineOptions.PollInterval.TotalSeconds:F1} s, other options default");
        Report.Line($"run: {options.Jobs} no-op jobs, then {options.LatencySamples} single-job pickups with {PickupLatencyRun.IdleGap.TotalMilliseconds:F0} ms idle between");

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

        var pickup = latency.Pickup;
        Report.Line($"engine {bench.Store.Name}: {Math.Round(throughput.JobsPerSecond):F0} jobs/s, pickup p50 {pickup.At(50):F1} ms, p99 {pickup.At(99):F1} ms");
        return lost > 0 ? 1 : 0;
    }
}
