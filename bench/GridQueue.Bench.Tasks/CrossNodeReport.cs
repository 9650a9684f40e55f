using GridQueue.Bench.Shared;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// The report lines of a run on several nodes. Node 1 wrote every event and the users' streams were open on the
/// other nodes, so each push went: node 1 commits (and then sends NOTIFY) → the stream node's listening connection is
/// told → it reads the event log → writes the event to the stream. Its latency is the client's arrival time minus
/// the event's updated_at, which node 1 set just before committing.
/// </summary>
internal static class CrossNodeReport
{
    public static void PrintLatency(RunOutcome run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Report.Line($"");
        Report.Line($"cross-node push latency (written and committed on node 1, pushed by another node after LISTEN/NOTIFY), ms:");
        Print("all events", run.Streams.SelectMany(s => s.Samples));
        var byNode = run.Streams.Select((s, i) => (Node: run.StreamNodes[i], Stream: s)).GroupBy(p => p.Node).OrderBy(g => g.Key).ToList();
        if (byNode.Count > 1)
        {
            foreach (var group in byNode)
            {
                Print($"  streamed by node {group.Key}", group.SelectMany(p => p.Stream.Samples));
            }
        }

        var all = new Percentiles(run.Streams.SelectMany(s => s.Samples).Select(s => s.LatencyMs));
        Report.Line($"  over {RunReport.CrossNodePushGoalMs} ms: {all.CountAbove(RunReport.CrossNodePushGoalMs)} of {all.Count}");
    }

    public static void PrintNodes(RunOutcome run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Report.Line($"server processes (sampled every {ProcessSampler.Interval.TotalMilliseconds:0} ms from the first submit to the last end, {Report.Seconds(run.RunTime)}):");
        for (var i = 0; i < run.Nodes.Count; i++)
        {
            var node = run.Nodes[i].Node;
            Report.Line($"  node {node.Number} ({node.Role}), pid {node.Process.Pid}:");
            RunReport.PrintResources("    ", RunReport.AtReady(run, i), run.Nodes[i].Summary);
        }
    }

    /// <summary>"node 1 peak RSS 300 MiB, CPU avg 80%; node 2 ..." for the summary line.</summary>
    public static string NodeFigures(RunOutcome run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return string.Join("; ", run.Nodes.Select(n => FormattableString.Invariant(
            $"node {n.Node.Number} peak RSS {n.Summary.KernelPeakRssMiB:0} MiB, CPU avg {n.Summary.AverageCpuPercent:0}%")));
    }

    private static void Print(string label, IEnumerable<PushSample> samples)
    {
        var p = new Percentiles(samples.Select(s => s.LatencyMs));
        Report.Line($"  {label,-20} n {p.Count,7}  p50 {Report.Ms(p.At(50)),6}  p95 {Report.Ms(p.At(95)),6}  p99 {Report.Ms(p.At(99)),6}  max {Report.Ms(p.Max),7}");
    }
}
