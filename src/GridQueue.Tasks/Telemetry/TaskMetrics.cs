using System.Diagnostics;
using System.Diagnostics.Metrics;
using GridQueue.Engine.Engine;
using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Telemetry;

/// <summary>
/// The tasks layer's measurements, on the meter "GridQueue.Tasks" tagged with the node (as the engine's). Only
/// System.Diagnostics.Metrics: a host exports them with OpenTelemetry (AddMeter("GridQueue.Tasks")), dotnet-counters
/// reads them as they are, and with no listener a measurement costs a check of a flag.
/// Changes are counted after their transaction committed, so a rolled-back change is never counted.
/// </summary>
public sealed class TaskMetrics
{
    public const string MeterName = "GridQueue.Tasks";

    /// <summary>
    /// Bucket bounds of the two times, in seconds: from a fast start to the deadline's order of magnitude (the
    /// exporters' default bounds are made for milliseconds).
    /// </summary>
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    };

    private readonly Counter<long> _statusChanges;
    private readonly Histogram<double> _queuedTime;
    private readonly Histogram<double> _firstProgress;
    private readonly Counter<long> _upstreamErrors;

    public TaskMetrics(IMeterFactory meters, JobEngine engine)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(engine);
        var meter = meters.Create(new MeterOptions(MeterName) { Tags = [new("gridqueue.node", engine.NodeId)] });
        _statusChanges = meter.CreateCounter<long>(
            "gridqueue.tasks.status_changes", "{task}", "Tasks entering a status (a new task counts as entering queued), by status and provider.");
        _queuedTime = meter.CreateHistogram<double>(
            "gridqueue.tasks.queued_time", "s", "From a task's creation to the upstream accepting its submit (first attempts only).", tags: null, SecondsBuckets);
        _firstProgress = meter.CreateHistogram<double>(
            "gridqueue.tasks.first_progress_time", "s", "From an attempt starting to run (its submit about to be sent) to the first progress above 0.", tags: null, SecondsBuckets);
        _upstreamErrors = meter.CreateCounter<long>(
            "gridqueue.upstream.errors", "{error}", "Failed provider calls and videos the provider reported failed, by provider, operation and kind.");
    }

    /// <summary>
    /// A change of <paramref name="before"/> into <paramref name="after"/> was committed (at <c>after.UpdatedAt</c>,
    /// which every rule that changes the status, the progress or the submit sets to the change's time).
    /// </summary>
    public void Changed(VideoTask before, VideoTask after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Status != after.Status)
        {
            StatusEntered(after);
        }

        if (before.Attempt != after.Attempt)
        {
            return;
        }

        var provider = new KeyValuePair<string, object?>("gridqueue.provider", after.Provider);
        if (before.SubmitState != SubmitState.Accepted && after.SubmitState == SubmitState.Accepted && after.Attempt == 1)
        {
            // Only first attempts: a retry's queued time would count from the retry, which the row does not keep.
            _queuedTime.Record(Seconds(after.UpdatedAt - after.CreatedAt), provider);
        }

        if (before.Progress == 0 && after.Progress > 0 && after.StartedAt is { } started)
        {
            _firstProgress.Record(Seconds(after.UpdatedAt - started), provider);
        }
    }

    /// <summary><paramref name="task"/> entered its status (a new task: queued) in a committed change.</summary>
    public void StatusEntered(VideoTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _statusChanges.Add(1, new TagList { { "gridqueue.task.status", task.Status.ToWire() }, { "gridqueue.provider", task.Provider } });
    }

    /// <summary>A call to <paramref name="provider"/> failed, or it reported a failed video (<see cref="UpstreamErrorKinds"/>).</summary>
    public void UpstreamError(string provider, string operation, string kind) =>
        _upstreamErrors.Add(1, new TagList { { "gridqueue.provider", provider }, { "gridqueue.operation", operation }, { "gridqueue.error.kind", kind } });

    private static double Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds);
}
