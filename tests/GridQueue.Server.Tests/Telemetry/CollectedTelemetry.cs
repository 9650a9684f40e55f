using System.Diagnostics;
using GridQueue.Server.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace GridQueue.Server.Tests.Telemetry;

/// <summary>One measured value of a metric, with the tags of its meter and its own.</summary>
public sealed record MetricValue(
    string Name,
    string Unit,
    IReadOnlyDictionary<string, object?> MeterTags,
    IReadOnlyDictionary<string, object?> Tags,
    double Value,
    long Count,
    double Min,
    double Max)
{
    public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>
/// OpenTelemetry's in-memory exporters listening to what the server exports (the server's own lists of meters and
/// sources, <see cref="TelemetrySetup"/>), in this test process. Other servers of the test run share the process:
/// GridQueue's meters carry the node, so <see cref="Metrics"/> can keep one server's values.
/// </summary>
public sealed class CollectedTelemetry : IDisposable
{
    private readonly List<Metric> _exported = [];
    private readonly List<Activity> _spans = [];
    private readonly MeterProvider _meters;
    private readonly TracerProvider _tracer;

    public CollectedTelemetry()
    {
        _meters = Sdk.CreateMeterProviderBuilder().AddGridQueueInstrumentation().AddInMemoryExporter(_exported).Build();
        _tracer = Sdk.CreateTracerProviderBuilder().AddGridQueueInstrumentation().AddInMemoryExporter(_spans).Build();
    }

    /// <summary>Collects now: every value of every metric (cumulative since the start), as exported.</summary>
    public IReadOnlyList<MetricValue> Metrics()
    {
        lock (_exported)
        {
            _exported.Clear();
            Assert.True(_meters.ForceFlush(), "the metrics were collected");
            return [.. _exported.SelectMany(Values)];
        }
    }

    /// <summary>The values of <paramref name="name"/> from meters tagged with <paramref name="node"/>.</summary>
    public IReadOnlyList<MetricValue> Metrics(string name, string node) =>
        [.. Metrics().Where(m => m.Name == name && m.MeterTags.TryGetValue("gridqueue.node", out var n) && Equals(n, node))];

    /// <summary>The spans ended so far.</summary>
    public IReadOnlyList<Activity> Spans()
    {
        _tracer.ForceFlush();
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    public void Dispose()
    {
        _meters.Dispose();
        _tracer.Dispose();
    }

    private static IEnumerable<MetricValue> Values(Metric metric)
    {
        var meterTags = (metric.MeterTags ?? []).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var values = new List<MetricValue>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            var (value, count, min, max) = metric.MetricType switch
            {
                MetricType.LongSum or MetricType.LongSumNonMonotonic => (point.GetSumLong(), 1L, 0d, 0d),
                MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => (point.GetSumDouble(), 1L, 0d, 0d),
                MetricType.LongGauge => (point.GetGaugeLastValueLong(), 1L, 0d, 0d),
                MetricType.DoubleGauge => (point.GetGaugeLastValueDouble(), 1L, 0d, 0d),
                MetricType.Histogram => (point.GetHistogramSum(), point.GetHistogramCount(), MinMax(point).Min, MinMax(point).Max),
                _ => (double.NaN, 0L, 0d, 0d),
            };
            values.Add(new MetricValue(metric.Name, metric.Unit, meterTags, tags, value, count, min, max));
        }

        return values;
    }

    private static (double Min, double Max) MinMax(MetricPoint point) =>
        point.TryGetHistogramMinMaxValues(out var min, out var max) ? (min, max) : (double.NaN, double.NaN);
}
