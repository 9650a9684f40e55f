using System.Diagnostics;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// Reads a process's memory and CPU from /proc every <see cref="Interval"/> until disposed, and summarises any
/// window of the run: peak resident memory, average CPU, and the busiest one-second stretch.
/// </summary>
internal sealed class ProcessSampler : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly int _pid;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<ProcessSample> _samples = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProcessSampler(int pid, double ticksPerSecond)
    {
        _pid = pid;
        TicksPerSecond = ticksPerSecond;
        Take();
        _loop = Task.Run(LoopAsync);
    }

    public double TicksPerSecond { get; }

    /// <summary>Time since sampling started, on the samples' clock.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Takes a sample now (also used to mark the ends of a window) and returns its time.</summary>
    public TimeSpan Take()
    {
        var at = _clock.Elapsed;
        if (ProcessSample.Read(_pid, at) is { } sample)
        {
            lock (_lock)
            {
                _samples.Add(sample);
            }
        }

        return at;
    }

    /// <summary>Memory and CPU between <paramref name="from"/> and <paramref name="to"/> (sampler times).</summary>
    public ResourceSummary Summarize(TimeSpan from, TimeSpan to)
    {
        ProcessSample[] window;
        lock (_lock)
        {
            window = [.. _samples.Where(s => s.At >= from && s.At <= to)];
        }

        if (window.Length < 2)
        {
            return ResourceSummary.Empty;
        }

        var first = window[0];
        var last = window[^1];
        var cpuSeconds = (last.CpuTicks - first.CpuTicks) / TicksPerSecond;
        var wall = (last.At - first.At).TotalSeconds;

        // Busiest one-second stretch: for each sample, the CPU used since the sample about a second earlier.
        var peakPercent = 0.0;
        var start = 0;
        for (var end = 1; end < window.Length; end++)
        {
            while (start < end - 1 && window[end].At - window[start + 1].At >= TimeSpan.FromSeconds(1))
            {
                start++;
            }

            var span = (window[end].At - window[start].At).TotalSeconds;
            if (span >= 0.9)
            {
                peakPercent = Math.Max(peakPercent, (window[end].CpuTicks - window[start].CpuTicks) / TicksPerSecond / span * 100);
            }
        }

        return new ResourceSummary(
            StartRssMiB: first.RssKiB / 1024.0,
            PeakRssMiB: window.Max(s => s.RssKiB) / 1024.0,
            KernelPeakRssMiB: last.PeakRssKiB / 1024.0,
            EndRssMiB: last.RssKiB / 1024.0,
            CpuSeconds: cpuSeconds,
            AverageCpuPercent: wall > 0 ? cpuSeconds / wall * 100 : 0,
            PeakCpuPercent: peakPercent,
            PeakThreads: window.Max(s => s.Threads));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    /// <summary>Clock ticks per second of /proc/[pid]/stat times (getconf CLK_TCK; 100 on Linux in practice).</summary>
    public static double ReadTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null)
            {
                var text = getconf.StandardOutput.ReadToEnd().Trim();
                getconf.WaitForExit();
                if (double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
                {
                    return ticks;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getconf: fall back to Linux's fixed value.
        }

        return 100;
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            Take();
        }
    }
}

/// <summary>A process's memory (MiB) and CPU over a window; CPU percentages are of one core.</summary>
internal sealed record ResourceSummary(
    double StartRssMiB,
    double PeakRssMiB,
    double KernelPeakRssMiB,
    double EndRssMiB,
    double CpuSeconds,
    double AverageCpuPercent,
    double PeakCpuPercent,
    int PeakThreads)
{
    public static ResourceSummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);
}
