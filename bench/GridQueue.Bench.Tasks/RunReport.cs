using GridQueue.Bench.Shared;

namespace GridQueue.Bench.Tasks;

/// <summary>Prints a run's figures; the last line is the one-line summary to quote.</summary>
internal static class RunReport
{
    public const double PushGoalMs = 20;
    public const double MemoryGoalMiB = 1024;
    public const double CrossNodePushGoalMs = 50;

    public static void Print(RunOutcome run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var tracker = run.Tracker;
        var samples = run.Streams.SelectMany(s => s.Samples).ToList();
        var all = new Percentiles(samples.Select(s => s.LatencyMs));
        var submitSeconds = run.SubmitTime.TotalSeconds;

        Report.Line($"");
        Report.Line($"submit: {tracker.Accepted} accepted in {Report.Seconds(run.SubmitTime)} ({tracker.Accepted / Math.Max(submitSeconds, 0.001):0} tasks/s), {run.Submitter?.Retries ?? 0} retried requests, {tracker.SubmitFailed} failed");
        if (run.Submitter is { } submitter)
        {
            var requests = new Percentiles(submitter.RequestMs);
            Report.Line($"  generate request: p50 {Report.Ms(requests.At(50))} ms, p99 {Report.Ms(requests.At(99))} ms, max {Report.Ms(requests.Max)} ms");
            foreach (var error in submitter.Errors)
            {
                Report.Line($"  submit error: {error}");
            }
        }

        Report.Line($"in flight: peak {tracker.PeakInFlight} of {run.Options.Tasks} at {Report.Seconds(tracker.PeakInFlightAt)}{(tracker.PeakInFlight == run.Options.Tasks ? " (all at once)" : "")}; upstream submissions {run.UpstreamSubmissions}");
        Report.Line($"ended: {tracker.Ended} of {run.Options.Tasks}, last at {Report.Seconds(tracker.LastEndAt)} after the first submit");
        Report.Line($"events: {samples.Count} ({string.Join(", ", Enum.GetValues<EventKind>().Select(k => $"{k.ToString().ToLowerInvariant()} {samples.Count(s => s.Kind == k)}"))}); reconnects {run.Streams.Sum(s => s.Reconnects)}, ids not increasing {run.Streams.Sum(s => s.NotIncreasing)}, unreadable {run.Streams.Sum(s => s.Unreadable)}, after end {tracker.EventsAfterEnd}, progress back {tracker.ProgressWentBack}, wrong stream {tracker.EventsOnWrongStream}, unknown tasks {tracker.UnknownTasks}");
        foreach (var stream in run.Streams.Where(s => s.Reconnects > 0).Take(5))
        {
            Report.Line($"  a stream reconnected {stream.Reconnects}x, last error: {stream.LastError}");
        }

        Report.Line($"");
        Report.Line($"push latency (arrival at the client - updated_at), ms:");
        PrintLatency("all events", all);
        foreach (var kind in Enum.GetValues<EventKind>())
        {
            PrintLatency("  " + kind.ToString().ToLowerInvariant(), new Percentiles(samples.Where(s => s.Kind == kind).Select(s => s.LatencyMs)));
        }

        PrintLatency("  while submitting", new Percentiles(samples.Where(s => s.ArrivalSeconds <= submitSeconds).Select(s => s.LatencyMs)));
        PrintLatency("  after submitting", new Percentiles(samples.Where(s => s.ArrivalSeconds > submitSeconds).Select(s => s.LatencyMs)));
        Report.Line($"  over {PushGoalMs} ms: {all.CountAbove(PushGoalMs)} of {all.Count}");
        if (run.Clustered)
        {
            CrossNodeReport.PrintLatency(run);
        }

        run.UpstreamEnd?.Print(Callbacks(run), run.Options.Poll);

        var server = run.Nodes.Count > 0 ? run.Nodes[0].Summary : ResourceSummary.Empty;
        Report.Line($"");
        if (run.Clustered)
        {
            CrossNodeReport.PrintNodes(run);
        }
        else
        {
            Report.Line($"server process (sampled every {ProcessSampler.Interval.TotalMilliseconds:0} ms from the first submit to the last end, {Report.Seconds(run.RunTime)}):");
            PrintResources("  ", AtReady(run, 0), server);
        }

        Report.Line($"  upstream polls: {run.Polls} ({run.Polls / Math.Max(run.RunTime.TotalSeconds, 0.001):0}/s); server CPU per poll over the run {PerPoll(server.CpuSeconds, run.Polls)} ms (submits, events and pushes included)");
        Report.Line($"  after submitting ({run.PollsAfterSubmit} polls, {run.ServerAfterSubmit.CpuSeconds:0.0} s CPU): server CPU per poll {PerPoll(run.ServerAfterSubmit.CpuSeconds, run.PollsAfterSubmit)} ms");
        Report.Line($"client (this process: SSE readers, submitters and the simulator): CPU {run.ClientCpu.TotalSeconds:0.0} s, average {run.ClientCpu.TotalSeconds / Math.Max(run.RunTime.TotalSeconds, 0.001) * 100:0}% of one core");

        foreach (var line in run.Lost)
        {
            Report.Line($"LOST: {line}");
        }

        var pushGoal = all.At(99) < PushGoalMs ? "met" : "missed";
        var memoryGoal = run.Nodes.All(n => n.Summary.KernelPeakRssMiB < MemoryGoalMiB) ? "met" : "missed";
        if (run.Clustered)
        {
            var crossGoal = all.At(99) < CrossNodePushGoalMs ? "met" : "missed";
            Report.Line($"goals: push p99 under {PushGoalMs:0} ms {pushGoal}; cross-node push p99 under {CrossNodePushGoalMs:0} ms {crossGoal}; every node under 1 GiB {memoryGoal}");
        }
        else
        {
            Report.Line($"goals: push p99 under {PushGoalMs:0} ms {pushGoal}; server under 1 GiB {memoryGoal}");
        }

        if (!run.Succeeded)
        {
            Report.Line($"FAILED: not every task ended cleanly (see above)");
        }

        var succeeded = tracker.Tasks.Count(t => t.EndStatus == "succeeded");
        var failed = tracker.Tasks.Count(t => t.EndStatus is "failed" or "cancelled");
        var lost = run.Options.Tasks - tracker.Ended;
        var state = lost == 0 ? "all completed" : $"NOT all completed ({tracker.Ended} ended)";
        var upstreamEnd = run.UpstreamEnd is { Latency.Count: > 0 } end ? $", upstream end to client p99 {Report.Ms(end.Latency.At(99))} ms" : "";
        if (run.Clustered)
        {
            Report.Line($"tasks {run.Options.Tasks} on {run.Nodes.Count} nodes: {state} ({succeeded} succeeded, {failed} failed), lost {lost}, cross-node push p50 {Report.Ms(all.At(50))} ms, p99 {Report.Ms(all.At(99))} ms{upstreamEnd}, {CrossNodeReport.NodeFigures(run)}");
        }
        else
        {
            Report.Line($"tasks {run.Options.Tasks}: {state} ({succeeded} succeeded, {failed} failed), lost {lost}, push p50 {Report.Ms(all.At(50))} ms, p99 {Report.Ms(all.At(99))} ms{upstreamEnd}, server peak RSS {server.KernelPeakRssMiB:0} MiB, CPU avg {server.AverageCpuPercent:0}%");
        }
    }

    /// <summary>The memory and CPU lines of one server process.</summary>
    public static void PrintResources(string indent, ResourceSummary atReady, ResourceSummary run)
    {
        ArgumentNullException.ThrowIfNull(atReady);
        ArgumentNullException.ThrowIfNull(run);
        Report.Line($"{indent}memory: RSS before the first submit {atReady.EndRssMiB:0} MiB, peak {run.PeakRssMiB:0} MiB (kernel high-water mark {run.KernelPeakRssMiB:0} MiB), at the end {run.EndRssMiB:0} MiB; threads up to {run.PeakThreads}");
        Report.Line($"{indent}CPU: {run.CpuSeconds:0.0} s, average {run.AverageCpuPercent:0}% of one core, busiest second {run.PeakCpuPercent:0}%");
    }

    /// <summary>Node <paramref name="index"/> from its start to the first submit.</summary>
    public static ResourceSummary AtReady(RunOutcome run, int index)
    {
        ArgumentNullException.ThrowIfNull(run);
        return index < run.NodesAtReady.Count ? run.NodesAtReady[index].Summary : ResourceSummary.Empty;
    }

    /// <summary>The server was given a public URL, so the simulator's end-of-task callbacks reach it.</summary>
    private static bool Callbacks(RunOutcome run) =>
        run.Options.ServerEnvironment.Any(e => string.Equals(e.Key, "Server__PublicUrl", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(e.Value));

    private static string PerPoll(double cpuSeconds, long polls) =>
        polls == 0 ? "n/a" : (cpuSeconds * 1000 / polls).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    private static void PrintLatency(string label, Percentiles p) =>
        Report.Line($"  {label,-20} n {p.Count,7}  p50 {Report.Ms(p.At(50)),6}  p90 {Report.Ms(p.At(90)),6}  p99 {Report.Ms(p.At(99)),6}  p99.9 {Report.Ms(p.At(99.9)),6}  max {Report.Ms(p.Max),7}");
}
