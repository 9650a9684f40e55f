using System.Diagnostics;
using System.Runtime.InteropServices;
using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

/// <summary>
/// The tool published by scripts/publish-cli.sh for this machine, into a temporary folder, once for a test class. Only
/// the output folder is its own: the publish builds in the repository's obj folders, so it reuses the client library's
/// Release build and compiles just the tool for this runtime identifier (once; later runs find it up to date).
/// </summary>
public sealed class PublishedTool : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("gq-cli-publish-");

    /// <summary>The runtime identifier of this machine, as the script takes it (e.g. linux-x64).</summary>
    public static string Rid { get; } = CurrentRid();

    /// <summary>The folder the script wrote the executable into: &lt;output&gt;/&lt;rid&gt;.</summary>
    public string Folder => Path.Combine(_root.FullName, Rid);

    public string Executable => Path.Combine(Folder, OperatingSystem.IsWindows() ? "gridqueue.exe" : "gridqueue");

    public async Task InitializeAsync()
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No build server may outlive the test run (compiler server, MSBuild nodes).
        foreach (var arg in new[] { Path.Combine(BuiltProgram.RepositoryRoot(), "scripts", "publish-cli.sh"), "-o", _root.FullName, Rid, "--", "--disable-build-servers" })
        {
            info.ArgumentList.Add(arg);
        }

        // The script calls `dotnet`: the one running these tests, whether or not it is on PATH.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host)
        {
            info.Environment["PATH"] = Path.GetDirectoryName(host) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        async Task<string> Output() => await stdout + await stderr;
        using var cts = new CancellationTokenSource(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"scripts/publish-cli.sh {Rid} did not end within {PublishTimeout}:\n{await Output()}");
        }

        var output = await Output();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/publish-cli.sh {Rid} exited {process.ExitCode}:\n{output}");
        }
    }

    public Task DisposeAsync()
    {
        _root.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static string CurrentRid()
    {
        var os = OperatingSystem.IsWindows() ? "win"
            : OperatingSystem.IsMacOS() ? "osx"
            : RuntimeInformation.RuntimeIdentifier.StartsWith("linux-musl", StringComparison.Ordinal) ? "linux-musl"
            : "linux";
        var architecture = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            var other => throw new PlatformNotSupportedException($"No runtime identifier is known here for {other}."),
        };
        return $"{os}-{architecture}";
    }
}
