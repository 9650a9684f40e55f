using System.Runtime;
using System.Runtime.InteropServices;

namespace GridQueue.Bench.Tasks;

/// <summary>The machine the benchmark ran on, as one line for the report.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        var cpu = ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadField("/proc/meminfo", "MemTotal") is { } text
            && long.TryParse(text.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture, out var kib)
            ? $"{kib / 1024.0 / 1024.0:0.#} GiB"
            : "unknown memory";
        return $"{cpu}, {Environment.ProcessorCount} cores, {memory}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }

    /// <summary>The benchmark process's own GC mode (the server's is read from its runtimeconfig).</summary>
    public static string GcMode() => GCSettings.IsServerGC ? "server GC" : "workstation GC";

    /// <summary>"server GC" or "workstation GC" as the server's runtimeconfig.json sets it.</summary>
    public static string ServerGcMode(string serverDll)
    {
        var config = Path.ChangeExtension(serverDll, ".runtimeconfig.json");
        var text = File.Exists(config) ? File.ReadAllText(config) : "";
        return text.Contains("\"System.GC.Server\": true", StringComparison.Ordinal) ? "server GC" : "workstation GC";
    }

    private static string? ReadField(string file, string name)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in File.ReadLines(file))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == name)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}
