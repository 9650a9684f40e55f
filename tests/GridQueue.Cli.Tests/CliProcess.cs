using System.Diagnostics;
using System.Text;
using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

/// <summary>How a run of the tool ended: exit code and everything it wrote.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error, IReadOnlyList<string> Args)
{
    /// <summary>Stdout's lines without the trailing empty one.</summary>
    public string[] OutLines => Lines(Out);

    public string[] ErrorLines => Lines(Error);

    /// <summary>The command line (the token's value hidden), the exit code and the output, for a failing assertion.</summary>
    public override string ToString() =>
        $"gridqueue {string.Join(' ', Args.Select((a, i) => i > 0 && Args[i - 1] == "--token" ? "<token>" : a))}\nexit code {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";

    internal static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// The built tool (<c>dotnet gridqueue.dll args…</c>, or a published executable) as a child process: environment without any GRIDQUEUE_*
/// variable unless the test sets one, stdin given text or nothing and then closed, stdout and stderr captured as raw text (a '\r' stays visible),
/// killed when it outlives its time.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly Task _readers;
    private readonly string[] _args;

    private CliProcess(Process process, string[] args)
    {
        _process = process;
        _args = args;
        _readers = Task.WhenAll(Pump(process.StandardOutput, _out), Pump(process.StandardError, _error));
    }

    public int Id => _process.Id;

    public string Out
    {
        get
        {
            lock (_out)
            {
                return _out.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>The built tool (see <see cref="BuiltProgram.Find"/>).</summary>
    public static string ToolDll() => BuiltProgram.Find("gridqueue.dll", "GridQueue.Cli");

    /// <param name="standardInput">Written to the tool's stdin before it is closed (e.g. a token for <c>--token -</c>).</param>
    /// <param name="executable">A published executable of the tool to run instead of the built gridqueue.dll.</param>
    public static CliProcess Start(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null, string? executable = null)
    {
        var info = new ProcessStartInfo(executable ?? Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (executable is null)
        {
            info.ArgumentList.Add(ToolDll());
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("GRIDQUEUE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the tool.");
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }

        process.StandardInput.Close();
        return new CliProcess(process, [.. args]);
    }

    /// <summary>Runs the tool to its end.</summary>
    public static async Task<CliResult> RunAsync(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? standardInput = null,
        string? executable = null)
    {
        await using var process = Start(args, environment, standardInput, executable);
        return await process.WaitAsync(timeout);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null, null);

    /// <summary>Waits for the end; a process still running after <paramref name="timeout"/> is killed and the test fails.</summary>
    public async Task<CliResult> WaitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            await _readers;
            Assert.Fail($"The tool did not end within {timeout ?? DefaultTimeout} and was killed:\n{Result(-1)}");
        }

        await _readers;
        return Result(_process.ExitCode);
    }

    /// <summary>Waits until stdout or stderr (<paramref name="stderr"/>) holds a line matching <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, bool stderr = false, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = CliResult.Lines(stderr ? Error : Out).FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                await Task.Delay(100); // let the readers take the last output
                Assert.Fail($"No matching line on {(stderr ? "stderr" : "stdout")} ({(_process.HasExited ? "the tool ended" : "time-out")}):\n{Result(_process.HasExited ? _process.ExitCode : -1)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>SIGINT, as Ctrl+C in a terminal sends it.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private CliResult Result(int exitCode) => new(exitCode, Out, Error, _args);

    private static async Task Pump(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }
}
