using System.Diagnostics;
using System.Globalization;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>GridQueue.TestWorker started as a child process: a real second OS process on the same SQLite file.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
            {
                _ready.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <param name="heldOutcomesLog">When given, the worker's outcome writes never reach the database; each batch's
    /// job ids go to this file first (see GridQueue.TestWorker).</param>
    public static WorkerProcess Start(string database, string runsLog, int workers, int jobMs, int leaseMs, bool exitWhenEmpty, string? heldOutcomesLog = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "GridQueue.TestWorker.dll");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll, "--db", database, "--runs-log", runsLog,
            "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--job-ms", jobMs.ToString(CultureInfo.InvariantCulture),
            "--lease-ms", leaseMs.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(arg);
        }

        if (exitWhenEmpty)
        {
            info.ArgumentList.Add("--exit-when-empty");
        }

        if (heldOutcomesLog is not null)
        {
            info.ArgumentList.Add("--hold-outcomes");
            info.ArgumentList.Add(heldOutcomesLog);
        }

        return new WorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("Could not start GridQueue.TestWorker."));
    }

    public Task WaitReadyAsync(TimeSpan timeout) => _ready.Task.WaitAsync(timeout);

    /// <summary>SIGKILL: no shutdown code runs, exactly like a power cut for the process.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}

/// <summary>Reads the workers' run logs: one "job-id attempt pid" line per handler start.</summary>
internal static class RunsLog
{
    public static List<(long JobId, int Attempt, int Pid)> Read(string path) =>
        !File.Exists(path)
            ? []
            : [.. File.ReadAllLines(path)
                .Where(l => l.Length > 0)
                .Select(l => l.Split(' '))
                .Select(p => (long.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture), int.Parse(p[2], CultureInfo.InvariantCulture)))];
}

/// <summary>Reads a worker's held-outcomes log: the job ids of every outcome batch the store was handed.</summary>
internal static class HeldOutcomesLog
{
    public static HashSet<long> Read(string path) =>
        !File.Exists(path)
            ? []
            : [.. File.ReadAllLines(path)
                .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(id => long.Parse(id, CultureInfo.InvariantCulture))];
}
