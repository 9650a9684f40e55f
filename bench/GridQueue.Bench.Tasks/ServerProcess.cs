using System.Diagnostics;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// The GridQueue server as a child process (<c>dotnet GridQueue.Server.dll</c>), so its memory and CPU can be measured
/// alone. Its output goes to server.log in its folder; stopping sends SIGTERM, then kills after a grace period.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private bool _logClosed;

    private ServerProcess(Process process, StreamWriter log, Uri address, string logPath)
    {
        _process = process;
        _log = log;
        Address = address;
        LogPath = logPath;
    }

    public Uri Address { get; }

    public int Pid => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the server with <paramref name="environment"/> and returns once /readyz answers 200.</summary>
    public static async Task<ServerProcess> StartAsync(
        string serverDll, string folder, IEnumerable<KeyValuePair<string, string>> environment, CancellationToken cancellationToken)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort.Pick()}/");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(serverDll);
        info.ArgumentList.Add($"--urls={address.GetLeftPart(UriPartial.Authority)}");
        foreach (var (name, value) in environment)
        {
            // Server__PublicUrl=self: the address picked here, so upstream callbacks from the simulator reach the server.
            info.Environment[name] = name == "Server__PublicUrl" && value == "self" ? address.ToString() : value;
        }

        var logPath = Path.Combine(folder, "server.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, log, address, logPath);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("dotnet did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Terminate();
                using var grace = new CancellationTokenSource(StopGrace);
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        lock (_logLock)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited during start-up with code {_process.ExitCode}; see {LogPath}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"The server did not become ready within {ReadyTimeout.TotalSeconds:0} s; see {LogPath}.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    // SIGTERM lets the host stop cleanly (the engine flushes outcomes); .NET's Process.Kill would send SIGKILL.
    private void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
        kill?.WaitForExit();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }
}
