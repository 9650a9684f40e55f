using System.Diagnostics;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests;

/// <summary>
/// An online backup taken while the server serves and takes new tasks, restored into a new folder on another server:
/// every task and event made before the backup is there, and the users' own upstream keys still decrypt (the restored
/// server goes on polling with them until the videos are done).
/// </summary>
public sealed class BackupTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string UserKey = "alice-own-upstream-key";
    private readonly ServerProcessGroup _servers = new("gq-backup-test-");
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() =>
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(12), ExtraApiKeys = [UserKey] });

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task BackupUnderLoad_RestoredIntoANewFolder_EveryTaskAndEventThereAndUsersKeysStillDecrypt()
    {
        var live = Environment(Path.Combine(_servers.Folder, "live"));
        var server = await _servers.StartAsync(live, "live");
        using var alice = await server.CreateClientAsync("backup-alice");
        var ownKey = new Dictionary<string, string> { ["X-User-Api-Key"] = UserKey };
        var before = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            before.Add((await alice.GenerateAsync(TaskApi.Body($"backup {_runTag} {i}"), i % 2 == 0 ? ownKey : null)).Id());
        }

        foreach (var id in before)
        {
            await alice.WaitAsync(id, t => t.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String);
        }

        // Load while the backup runs: new tasks keep coming.
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                await alice.GenerateAsync(TaskApi.Body($"during {_runTag} {n++}"), ownKey);
                await Task.Delay(50);
            }

            return n;
        });
        var backupFolder = Path.Combine(_servers.Folder, "backup");
        var printed = await BackupAsync(live, backupFolder);
        await stop.CancelAsync();
        var madeDuring = await load;
        server.KillHard();

        // Restore: the backup folder is a data directory of its own.
        var restored = await _servers.StartAsync(Environment(backupFolder), "restored");
        using var again = await restored.CreateClientAsync("backup-alice");
        foreach (var id in before)
        {
            var done = await again.WaitAsync(id, t => t.IsTerminal(), TimeSpan.FromSeconds(40));
            Assert.True(done.Status() == "succeeded", done.ToString());
        }

        // The log came along: a replay from the start holds each task's first event (queued) and its end.
        await using var stream = await SseClient.ConnectAsync(restored.Address, again.DefaultRequestHeaders.Authorization!.Parameter!, lastEventId: 0);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        var replayed = await stream.ReadUntilAsync(
            e => before.Contains(Id(e)) && Status(e) == "succeeded" && ended.Add(Id(e)) && ended.Count == before.Count,
            TimeSpan.FromSeconds(20));
        foreach (var id in before)
        {
            Assert.Contains(replayed, e => Id(e) == id && Status(e) == "queued");
        }

        output.WriteLine($"{printed.Trim()}; {madeDuring} tasks made while it ran; the 6 made before all succeeded after the restore.");
    }

    private static async Task<string> BackupAsync(IReadOnlyDictionary<string, string> environment, string folder)
    {
        var info = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(ServerProcess.ServerDll());
        info.ArgumentList.Add("backup");
        info.ArgumentList.Add(folder);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run the backup.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"backup exited {process.ExitCode}: {await stdout}{await stderr}");
        return await stdout;
    }

    private static string Id(SseEvent e) => e.Data.GetProperty("task_id").GetString()!;

    private static string Status(SseEvent e) => e.Data.GetProperty("status").GetString()!;

    private Dictionary<string, string> Environment(string dataDirectory) => new(StringComparer.Ordinal)
    {
        ["Storage__DataDirectory"] = dataDirectory,
        ["Auth__Mode"] = "dev",
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Providers__Default"] = "t8star",
        ["Providers__T8Star__BaseUrl"] = _simulator.BaseAddress.ToString(),
        ["Providers__T8Star__ApiKey"] = SimulatorOptions.DefaultApiKey,
        ["Tasks__PollInterval"] = "00:00:00.250",
        ["Tasks__MaxRunningPerUser"] = "0",
        ["Api__GeneratePerMinute"] = "0",
        ["Api__ActionsPerMinute"] = "0",
        ["GridQueue__Engine__LeaseDuration"] = "00:00:03",
        ["GridQueue__Engine__RescueInterval"] = "00:00:01",
    };
}
