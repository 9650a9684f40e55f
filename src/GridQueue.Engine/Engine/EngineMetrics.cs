using System.Diagnostics;
using System.Diagnostics.Metrics;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Engine;

/// <summary>
/// The engine's measurements, on a <see cref="Meter"/> named "GridQueue.Engine" tagged with the node: OpenTelemetry
/// (AddMeter("GridQueue.Engine")) or dotnet-counters read them as they are.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "GridQueue.Engine";

    private readonly Meter _meter;
    private readonly Counter<long> _inserted;
    private readonly Counter<long> _claimed;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _rescued;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _runTime;

    public EngineMetrics(string node, Func<int> activeHandlers)
    {
        _meter = new Meter(new MeterOptions(MeterName) { Tags = [new("gridqueue.node", node)] });
        _inserted = _meter.CreateCounter<long>("gridqueue.jobs.inserted", "{job}", "Jobs inserted through this node (duplicates of a unique key not counted).");
        _claimed = _meter.CreateCounter<long>("gridqueue.jobs.claimed", "{job}", "Jobs this node claimed to run.");
        _finished = _meter.CreateCounter<long>("gridqueue.jobs.finished", "{run}", "Runs ended on this node, by outcome.");
        _rescued = _meter.CreateCounter<long>("gridqueue.jobs.rescued", "{job}", "Jobs whose lease had expired, moved on by this node's rescuer.");
        _wait = _meter.CreateHistogram<double>("gridqueue.jobs.wait", "ms", "From a job's scheduled time to its claim.");
        _runTime = _meter.CreateHistogram<double>("gridqueue.jobs.run_time", "ms", "Handler run time.");
        _meter.CreateObservableGauge("gridqueue.workers.active", activeHandlers, "{handler}", "Handlers running on this node.");
    }

    public void Inserted(Job job) => _inserted.Add(1, new KeyValuePair<string, object?>("gridqueue.queue", job.Queue));

    public void Claimed(Job job, DateTimeOffset now)
    {
        var queue = new KeyValuePair<string, object?>("gridqueue.queue", job.Queue);
        _claimed.Add(1, queue);
        _wait.Record(Math.Max(0, (now - job.ScheduledAt).TotalMilliseconds), queue);
    }

    public void Finished(Job job, JobOutcomeKind outcome, TimeSpan runTime)
    {
        var tags = new TagList
        {
            { "gridqueue.queue", job.Queue },
            { "gridqueue.kind", job.Kind },
            { "gridqueue.outcome", outcome.ToString().ToLowerInvariant() },
        };
        _finished.Add(1, tags);
        _runTime.Record(runTime.TotalMilliseconds, tags);
    }

    public void Rescued(int count) => _rescued.Add(count);

    public void Dispose() => _meter.Dispose();
}
