using System.Diagnostics;
using System.Globalization;

namespace GridQueue.Postgres.Testing;

/// <summary>
/// Finds the PostgreSQL server programs (initdb, pg_ctl) and runs them. PostgreSQL refuses to run as root, so when
/// this process is root the programs run as the <c>postgres</c> user through <c>runuser</c>.
/// </summary>
internal sealed class PostgresBinaries
{
    private const string ServiceUser = "postgres";

    private PostgresBinaries(string folder) => Folder = folder;

    /// <summary>The folder holding initdb and pg_ctl.</summary>
    public string Folder { get; }

    /// <summary>True when the programs must run as <c>postgres</c> (this process is root).</summary>
    public static bool RunAsServiceUser => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    /// <summary>The newest /usr/lib/postgresql/N/bin with pg_ctl, else the folder of pg_ctl on PATH.</summary>
    public static PostgresBinaries Find()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
                .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Bin, "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Bin)
                .FirstOrDefault();
            if (newest is not null)
            {
                return new PostgresBinaries(newest);
            }
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")));
        return onPath is not null
            ? new PostgresBinaries(onPath)
            : throw new InvalidOperationException(
                "No PostgreSQL server programs found (no /usr/lib/postgresql/*/bin/pg_ctl, no pg_ctl on PATH). Install Debian's " +
                "'postgresql' package (scripts/test.sh does so), or set GRIDQUEUE_TEST_POSTGRES to a connection string of a " +
                "server where the user may CREATE DATABASE.");
    }

    /// <summary>Gives the folder and everything in it to the user the programs run as.</summary>
    public static void HandOver(string folder)
    {
        if (RunAsServiceUser)
        {
            RunChecked("chown", ["-R", $"{ServiceUser}:{ServiceUser}", folder], "chown");
        }
    }

    /// <summary>Runs initdb, pg_ctl, ...; returns the exit code and what it printed.</summary>
    public (int ExitCode, string Output) Run(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var commandLine = CommandLine(program, arguments);
        return Execute(commandLine[0], commandLine[1..], timeout);
    }

    /// <summary>The program and its arguments as they are run: behind runuser when this process is root.</summary>
    public string[] CommandLine(string program, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(Folder, program);
        return RunAsServiceUser ? ["runuser", "-u", ServiceUser, "--", path, .. arguments] : [path, .. arguments];
    }

    private static void RunChecked(string program, IReadOnlyList<string> arguments, string what)
    {
        var (code, output) = Execute(program, arguments, TimeSpan.FromSeconds(30));
        if (code != 0)
        {
            throw new InvalidOperationException($"{what} failed with exit code {code.ToString(CultureInfo.InvariantCulture)}: {output}");
        }
    }

    private static (int ExitCode, string Output) Execute(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The cluster's messages in English whatever the machine's locale, so failures read the same everywhere.
            Environment = { ["LC_ALL"] = "C", ["LANG"] = "C" },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        // pg_ctl start leaves the server running with our pipes inherited; read until the program itself exits only.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s.");
        }

        var output = (stdout.Wait(TimeSpan.FromSeconds(2)) ? stdout.Result : "") + (stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result : "");
        return (process.ExitCode, output.Trim());
    }
}
