using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GridQueue.Postgres.Testing;

/// <summary>
/// A PostgreSQL cluster of this test process alone: initdb in a temporary folder, started with pg_ctl on a free
/// loopback port (its unix socket inside the folder, so it never meets a system server's), stopped and deleted when the
/// process exits (see <see cref="StartReaper"/>); a leftover of a run whose clean-up did not happen is removed by the next. Durability is switched off: the data lives as long as the test run, so a crash loses nothing of value
/// and every commit is much cheaper.
/// </summary>
internal sealed class ThrowawayCluster
{
    /// <summary>Folders are named gridqueue-pg-{pid}-{random}: the pid tells whether their test run is still alive.</summary>
    private const string FolderPrefix = "gridqueue-pg-";

    private static readonly TimeSpan ProgramTimeout = TimeSpan.FromSeconds(60);

    private readonly PostgresBinaries _binaries;
    private readonly string _folder;

    private ThrowawayCluster(PostgresBinaries binaries, string folder, int port)
    {
        _binaries = binaries;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string DataFolder => Path.Combine(_folder, "data");

    private string LogFile => Path.Combine(_folder, "server.log");

    /// <summary>The superuser connection string: trust authentication on loopback, no password.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Timeout=30;Command Timeout=120";

    public static ThrowawayCluster Start()
    {
        var binaries = PostgresBinaries.Find();
        RemoveLeftovers(binaries);

        var folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(Path.Combine(folder, "socket"));
        PostgresBinaries.HandOver(folder);

        var init = binaries.Run("initdb",
            ["-D", Path.Combine(folder, "data"), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
            ProgramTimeout);
        if (init.ExitCode != 0)
        {
            Delete(folder);
            throw new InvalidOperationException($"initdb failed (exit code {init.ExitCode.ToString(CultureInfo.InvariantCulture)}):\n{init.Output}");
        }

        // A free port is found by binding port 0; another process may take it before the server binds, so try again.
        var failures = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var cluster = new ThrowawayCluster(binaries, folder, FreeLoopbackPort());
            var failure = cluster.TryStart();
            if (failure is null)
            {
                cluster.StartReaper();
                return cluster;
            }

            failures.Add(failure);
        }

        Delete(folder);
        throw new InvalidOperationException("The throwaway PostgreSQL cluster did not start:\n" + string.Join("\n---\n", failures));
    }

    /// <summary>
    /// Starts a small watcher, in a session of its own, that waits for this process to end, then stops the server at
    /// once (no checkpoint: the data is thrown away) and deletes the folder. A handler run at process exit would not
    /// do: the test platform ends its test host soon after the last test, often before pg_ctl returns, and a test
    /// host killed outright runs no handler at all. The watcher covers both.
    /// </summary>
    private void StartReaper()
    {
        const string script = """
            pid=$1; folder=$2; shift 2
            exec </dev/null >/dev/null 2>&1
            while kill -0 "$pid"; do sleep 0.5; done
            "$@"
            rm -rf "$folder"
            """;
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        string[] arguments =
        [
            "sh", "-c", script, "gridqueue-pg-reaper", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), _folder,
            .. _binaries.CommandLine("pg_ctl", ["stop", "-D", DataFolder, "-m", "immediate", "-w"]),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var reaper = Process.Start(start) ?? throw new InvalidOperationException("Could not start the cluster's reaper (setsid sh).");
    }

    /// <returns>Null when the server runs, else why it did not start, with its log.</returns>
    private string? TryStart()
    {
        var socket = Path.Combine(_folder, "socket");
        var settings = string.Join(' ',
            $"-c port={Port.ToString(CultureInfo.InvariantCulture)}",
            "-c listen_addresses=127.0.0.1",
            $"-c unix_socket_directories={socket}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=300",
            "-c shared_buffers=64MB",
            "-c max_wal_size=1GB",
            "-c log_min_messages=warning");
        var start = _binaries.Run("pg_ctl", ["start", "-D", DataFolder, "-l", LogFile, "-w", "-t", "60", "-o", settings], ProgramTimeout);
        if (start.ExitCode == 0)
        {
            return null;
        }

        var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log was written)";
        return $"pg_ctl start on port {Port.ToString(CultureInfo.InvariantCulture)} failed (exit code {start.ExitCode.ToString(CultureInfo.InvariantCulture)}): {start.Output}\nServer log {LogFile}:\n{log}";
    }

    /// <summary>
    /// A test run killed outright leaves its cluster running and its folder behind; the next run stops and removes
    /// those whose process is gone.
    /// </summary>
    private static void RemoveLeftovers(PostgresBinaries binaries)
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var pidText = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || IsAlive(pid))
            {
                continue;
            }

            var data = Path.Combine(folder, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                var stop = binaries.Run("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"], ProgramTimeout);
                Console.Error.WriteLine($"Stopped a leftover throwaway PostgreSQL cluster in {folder}: {stop.Output}");
            }

            Delete(folder);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            // No process has this id.
            return false;
        }
    }

    private static void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Could not delete {folder}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            Console.Error.WriteLine($"Could not delete {folder}: {ex.Message}");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
