using System.Globalization;

namespace GridQueue.Bench.Tasks;

/// <summary>Writes every push latency sample as CSV (arrival second, latency, kind, event id, arrival in Unix ms) for a closer look at a run.</summary>
internal static class SampleCsv
{
    public static void Write(string path, IEnumerable<PushSample> samples)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("arrival_s,latency_ms,kind,event_id,arrival_unix_ms");
        foreach (var sample in samples.OrderBy(s => s.ArrivalSeconds))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sample.ArrivalSeconds:0.000},{sample.LatencyMs:0.00},{sample.Kind.ToString().ToLowerInvariant()},{sample.EventId},{sample.Arrived.ToUnixTimeMilliseconds() + (sample.Arrived.Ticks % TimeSpan.TicksPerMillisecond / 10_000.0):0.000}"));
        }
    }
}
