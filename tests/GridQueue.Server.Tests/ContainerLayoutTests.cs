using System.Diagnostics;
using System.Net;
using GridQueue.Server.Testing;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests;

/// <summary>
/// The published server run exactly as the Dockerfile runs it (images cannot be pulled here): the publish output in a
/// folder the process cannot write, the environment the image sets (ASPNETCORE_HTTP_PORTS=8080, the data directory
/// apart), a non-root user (nobody, when the tests run as root), and the image's health check command. What this does
/// not exercise: the image build itself, the base image's own user and the volume.
/// </summary>
public sealed class ContainerLayoutTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ImagePort = 8080;
    private const int NobodyId = 65534;
    private readonly string _root = Directory.CreateTempSubdirectory("gq-container-").FullName;
    private ServerProcess? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [Fact]
    public async Task PublishedOutput_AsTheImageRunsIt_AnswersOn8080AndKeepsItsDataApart()
    {
        var app = Path.Combine(_root, "app");
        var data = Path.Combine(_root, "data");
        await RunAsync("dotnet", ["publish", ProjectFile(), "-c", "Release", "--no-build", "-o", app, "--nologo", "-v", "quiet"]);
        Directory.CreateDirectory(data);
        var asNobody = Environment.UserName == "root" && !OperatingSystem.IsWindows();
        if (asNobody && !OperatingSystem.IsWindows())
        {
            // The app folder readable, not writable, by the server's user; the data folder its own.
            SetTree(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            await RunAsync("chown", ["-R", $"{NobodyId}:{NobodyId}", data]);
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_HTTP_PORTS"] = ImagePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage__DataDirectory"] = data,
            ["Auth__JwtSecret"] = "a-container-test-secret-of-at-least-32-bytes",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        _server = await ServerProcess.StartAsync(
            environment,
            "image",
            app,
            listensOn: ImagePort,
            program: Path.Combine(app, "GridQueue.Server.dll"),
            runAs: asNobody ? NobodyId : null);

        using var client = _server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/v1/video/tasks")).StatusCode); // jwt mode, as deployed

        // The image's HEALTHCHECK command.
        var probe = await RunAsync("dotnet", [Path.Combine(app, "GridQueue.Server.dll"), "healthcheck"], environment);
        Assert.Contains("HTTP 200", probe, StringComparison.Ordinal);

        Assert.True(File.Exists(Path.Combine(data, "gridqueue.db")), "the database is in the data directory");
        Assert.False(Directory.Exists(Path.Combine(app, "data")), "nothing was written beside the program");
        if (asNobody)
        {
            Assert.Equal($"{NobodyId}", (await RunAsync("stat", ["-c", "%u", Path.Combine(data, "gridqueue.db")])).Trim());
        }
        output.WriteLine($"published output served on :{ImagePort} {(asNobody ? "as nobody, from a folder it cannot write" : "as the current user (not root, so no other user could be taken)")}.");
    }

    private static string ProjectFile() => Path.Combine(BuiltProgram.RepositoryRoot(), "src", "GridQueue.Server", "GridQueue.Server.csproj");

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void SetTree(string folder, UnixFileMode mode)
    {
        File.SetUnixFileMode(folder, mode);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(entry, Directory.Exists(entry) ? mode : mode & ~(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
        }
    }

    private static async Task<string> RunAsync(string program, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stdout}{await stderr}");
        return await stdout;
    }
}
