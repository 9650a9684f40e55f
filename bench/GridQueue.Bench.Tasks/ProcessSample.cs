namespace GridQueue.Bench.Tasks;

/// <summary>One reading of a process's /proc files.</summary>
/// <param name="At">Time since sampling started.</param>
/// <param name="RssKiB">Resident memory now (VmRSS).</param>
/// <param name="PeakRssKiB">Highest resident memory so far (VmHWM), as the kernel counts it.</param>
/// <param name="CpuTicks">User plus system CPU time so far, in clock ticks.</param>
/// <param name="Threads">Threads now.</param>
internal readonly record struct ProcessSample(TimeSpan At, long RssKiB, long PeakRssKiB, long CpuTicks, int Threads)
{
    /// <summary>Reads /proc/<paramref name="pid"/>/status and /stat; null when the process is gone.</summary>
    public static ProcessSample? Read(int pid, TimeSpan at)
    {
        try
        {
            long rss = 0, hwm = 0;
            var threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kib(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kib(line);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = (int)Kib(line);
                }
            }

            // Fields after the command name (which may hold spaces) start after the last ')': state is field 3,
            // utime and stime are fields 14 and 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return new ProcessSample(at, rss, hwm, ticks, threads);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    // "VmRSS:	  123456 kB" → 123456
    private static long Kib(string line)
    {
        var digits = line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim();
        var space = digits.IndexOf(' ');
        return long.Parse(space < 0 ? digits : digits[..space], System.Globalization.CultureInfo.InvariantCulture);
    }
}
