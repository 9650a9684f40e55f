using System.Diagnostics.Metrics;
using GridQueue.Engine.Engine;

namespace GridQueue.Server.Telemetry;

/// <summary>
/// The server's own measurements, on the meter "GridQueue.Server" tagged with the node: open event streams, and
/// gauges of the database's waiting jobs and unfinished tasks (<see cref="StoreGauges"/>, read only when collected).
/// The gauges count the whole database, so nodes sharing one report the same numbers: aggregate them with max, not sum.
/// </summary>
public sealed class ServerMetrics
{
    public const string MeterName = "GridQueue.Server";

    private readonly UpDownCounter<long> _streams;

    public ServerMetrics(IMeterFactory meters, JobEngine engine, StoreGauges gauges)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(gauges);
        var meter = meters.Create(new MeterOptions(MeterName) { Tags = [new("gridqueue.node", engine.NodeId)] });
        _streams = meter.CreateUpDownCounter<long>("gridqueue.sse.streams", "{stream}", "Event streams open on this node.");
        meter.CreateObservableGauge(
            "gridqueue.queue.waiting",
            () => gauges.Read().Queues.Select(q => new Measurement<long>(q.Waiting, new KeyValuePair<string, object?>("gridqueue.queue", q.Queue))),
            "{job}",
            "Jobs waiting in a queue (available, scheduled for later, or to be retried), in the whole database.");
        meter.CreateObservableGauge(
            "gridqueue.queue.due",
            () => gauges.Read().Queues.Select(q => new Measurement<long>(q.Due, new KeyValuePair<string, object?>("gridqueue.queue", q.Queue))),
            "{job}",
            "Waiting jobs whose time has come and that no worker has claimed yet: the backlog, in the whole database.");
        meter.CreateObservableGauge(
            "gridqueue.tasks.unfinished",
            () => gauges.Read().Tasks.Select(t => new Measurement<long>(
                t.Count, new KeyValuePair<string, object?>("gridqueue.task.status", t.Status), new KeyValuePair<string, object?>("gridqueue.provider", t.Provider))),
            "{task}",
            "Queued and running tasks by provider, in the whole database.");
    }

    /// <summary>An event stream opened; dispose the result when it closes.</summary>
    public IDisposable StreamOpened()
    {
        _streams.Add(1);
        return new OpenStream(_streams);
    }

    private sealed class OpenStream(UpDownCounter<long> streams) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                streams.Add(-1);
            }
        }
    }
}
