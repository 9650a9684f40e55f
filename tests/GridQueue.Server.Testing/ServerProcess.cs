using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace GridQueue.Server.Testing;

/// <summary>
/// The real server program (<c>dotnet GridQueue.Server.dll</c>) as a child process on a free loopback port, configured
/// through environment variables the way an operator would. Tests talk to it over HTTP only and may kill it with
/// SIGKILL; its console output is kept so a failing test can show it.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int MaxOutputLines = 20_000;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly string _name;

    private ServerProcess(Process process, Uri address, string name, ConcurrentQueue<string> output)
    {
        _process = process;
        _name = name;
        _output = output;
        Address = address;
    }

    /// <summary>The base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote so far, one entry per line, stderr lines marked.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>The server program (see <see cref="BuiltProgram.Find"/>).</summary>
    public static string ServerDll() => BuiltProgram.Find("GridQueue.Server.dll", "GridQueue.Server");

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts the server with <paramref name="environment"/> and waits until /readyz answers 200.</summary>
    /// <param name="name">Marks this run's lines in <see cref="Output"/> (e.g. "first", "restart").</param>
    /// <param name="workingDirectory">The process's working directory (a temporary folder of the test).</param>
    /// <param name="listensOn">
    /// When given, the port the server is told to listen on by <paramref name="environment"/> (ASPNETCORE_URLS,
    /// ASPNETCORE_HTTP_PORTS, Kestrel endpoints): no --urls is passed, and readiness is awaited on that port.
    /// </param>
    /// <param name="program">The server's dll, when not the one built beside the tests (a published copy).</param>
    /// <param name="runAs">A user id to run the server as (through setpriv; the tests must run as root).</param>
    public static async Task<ServerProcess> StartAsync(
        IReadOnlyDictionary<string, string> environment,
        string name,
        string workingDirectory,
        TimeSpan? readyTimeout = null,
        int? listensOn = null,
        string? program = null,
        int? runAs = null)
    {
        var address = new Uri($"http://127.0.0.1:{listensOn ?? FreePort()}/");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(runAs is null ? dotnet : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (runAs is { } user)
        {
            // setpriv replaces itself with the server, so the process (and its id) is the server's.
            foreach (var argument in (string[])[$"--reuid={user}", $"--regid={user}", "--clear-groups", "--", dotnet])
            {
                info.ArgumentList.Add(argument);
            }
        }

        info.ArgumentList.Add(program ?? ServerDll());
        if (listensOn is null)
        {
            info.ArgumentList.Add($"--urls={address.GetLeftPart(UriPartial.Authority)}");
        }

        // One line per entry with a timestamp, so interleaved handler logs stay readable in a failure report.
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Keep(output, name, e.Data, "");
        process.ErrorDataReceived += (_, e) => Keep(output, name, e.Data, "stderr: ");
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start the server process.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, address, name, output);
        try
        {
            await server.WaitReadyAsync(readyTimeout ?? TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client with no token.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// A client signed in as <paramref name="userId"/> with a dev token (the server must run with Auth__Mode=dev and,
    /// outside the Development environment, Auth__AllowDevMode=true).
    /// </summary>
    public async Task<HttpClient> CreateClientAsync(string userId)
    {
        var client = CreateClient();
        using (var response = await client.PostAsJsonAsync("api/v1/dev/token", new { user_id = userId }))
        {
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var token = body.RootElement.GetProperty("data").GetProperty("token").GetString();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>
    /// SIGKILL (on Linux, <see cref="Process.Kill(bool)"/> sends it): no shutdown code runs, no lease is given back,
    /// nothing is flushed, exactly like a crash. Returns once the process is gone.
    /// </summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _output.Enqueue($"[{_name}] --- killed (SIGKILL) ---");
    }

    /// <summary>
    /// SIGTERM, as systemd, Docker or Ctrl+C in a terminal would send: the server stops gracefully. Returns once the
    /// process has exited (or throws when it has not within <paramref name="timeout"/>).
    /// </summary>
    public async Task StopGracefullyAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("Could not run kill."))
        {
            await kill.WaitForExitAsync();
        }

        _output.Enqueue($"[{_name}] --- SIGTERM sent ---");
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _output.Enqueue($"[{_name}] --- exited with {_process.ExitCode} ---");
    }

    /// <summary>The last <paramref name="lines"/> lines of output, for a failure report.</summary>
    public string Tail(int lines = 300) => string.Join(Environment.NewLine, Output.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void Keep(ConcurrentQueue<string> output, string name, string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue($"[{name}] {prefix}{line}");
        while (output.Count > MaxOutputLines && output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                // Waits until its output has been read to the end too, so the report holds the reason it stopped.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException(
                    $"The server process exited with code {_process.ExitCode} before it was ready:{Environment.NewLine}{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync("readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server process was not ready within {timeout}:{Environment.NewLine}{Tail()}");
            }

            await Task.Delay(100);
        }
    }
}
