using GridQueue.Bench.Shared;
using GridQueue.Simulator;

namespace GridQueue.Bench.Tasks;

/// <summary>A <c>succeeded</c> event as a stream read it: the task's upstream id and the arrival time.</summary>
internal readonly record struct SucceededArrival(string UpstreamTaskId, DateTimeOffset Arrived);

/// <summary>
/// The wait a user sees between "the video is ready upstream" and "my client knows": for each succeeded task, the
/// arrival of its <c>succeeded</c> event minus the moment the in-process simulator ended that task
/// (<see cref="SimulatedTask.EndsAt"/>), both on this machine's clock. Without upstream callbacks it is bounded by
/// the poll interval; with them it is the callback, the poll it prompts, the write and the push.
/// </summary>
internal sealed class UpstreamEndLatency
{
    public const double CallbackGoalMs = 100;

    private UpstreamEndLatency(Percentiles latency, int unknown)
    {
        Latency = latency;
        Unknown = unknown;
    }

    public Percentiles Latency { get; }

    /// <summary>Succeeded events whose upstream id the simulator does not know (must be 0).</summary>
    public int Unknown { get; }

    public static UpstreamEndLatency Measure(IEnumerable<SseStream> streams, SimulatorState simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var latencies = new List<double>();
        var unknown = 0;
        foreach (var arrival in streams.SelectMany(s => s.Succeeded))
        {
            if (simulator.TryGetTask(arrival.UpstreamTaskId, out var task))
            {
                latencies.Add((arrival.Arrived - task.EndsAt).TotalMilliseconds);
            }
            else
            {
                unknown++;
            }
        }

        return new UpstreamEndLatency(new Percentiles(latencies), unknown);
    }

    /// <summary>The report block; <paramref name="callbacks"/>: the server was given a public URL, so callbacks were on.</summary>
    public void Print(bool callbacks, TimeSpan poll)
    {
        Report.Line($"");
        var how = callbacks ? $"upstream callbacks on, poll every {DurationText.Format(poll)}" : $"no callbacks, so up to one poll, {DurationText.Format(poll)}";
        Report.Line($"upstream end to client (simulator ends a task -> its succeeded event arrives; {how}), ms:");
        Report.Line($"  succeeded            n {Latency.Count,7}  p50 {Report.Ms(Latency.At(50)),6}  p95 {Report.Ms(Latency.At(95)),6}  p99 {Report.Ms(Latency.At(99)),6}  max {Report.Ms(Latency.Max),7}; upstream id unknown to the simulator {Unknown}");
        if (callbacks)
        {
            Report.Line($"  goal: upstream end to client p99 under {CallbackGoalMs:0} ms with callbacks: {(Latency.At(99) < CallbackGoalMs ? "met" : "missed")}");
        }
    }
}
