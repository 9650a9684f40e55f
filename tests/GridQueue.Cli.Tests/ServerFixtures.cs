using System.Text.Json;
using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

/// <summary>A real server (in process, loopback, SQLite file) shared by the tests of one class; each test uses its own user.</summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public string Address => Server.Address.ToString();

    protected virtual Dictionary<string, string?> Settings => [];

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync(Settings);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A new user: its token (for the tool) and an HTTP client signed in as it (to check through the API).</summary>
    public async Task<TestUser> UserAsync(string name = "user")
    {
        var id = $"{name}-{Guid.NewGuid():N}";
        return new TestUser(id, await Server.TokenAsync(id), await Server.CreateClientAsync(id), this);
    }
}

/// <summary>Simulated videos take 1.5 s and succeed.</summary>
public sealed class DefaultServer : ServerFixture;

/// <summary>Every simulated video fails (after about 90 %) with SimulatorProviderOptions.DefaultFailReason.</summary>
public sealed class FailingServer : ServerFixture
{
    protected override Dictionary<string, string?> Settings => new() { ["Providers:Simulator:FailureRate"] = "1" };
}

/// <summary>
/// Simulated videos take 8 s: a tool process started after the task still sees it run (starting a process can take
/// seconds on a busy machine), and it still ends within a test's patience.
/// </summary>
public sealed class SteadyServer : ServerFixture
{
    protected override Dictionary<string, string?> Settings => new() { ["Providers:Simulator:Duration"] = "00:00:08" };
}

/// <summary>Simulated videos take 60 s: a task stays running long enough to cancel it or to interrupt a wait.</summary>
public sealed class SlowServer : ServerFixture
{
    protected override Dictionary<string, string?> Settings => new() { ["Providers:Simulator:Duration"] = "00:01:00" };
}

public sealed record TestUser(string Id, string Token, HttpClient Api, ServerFixture Fixture) : IDisposable
{
    /// <summary>The tool's arguments followed by --server and --token for this user.</summary>
    public string[] Args(params string[] args) => [.. args, "--server", Fixture.Address, "--token", Token];

    public Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(Args(args));

    public CliProcess Start(params string[] args) => CliProcess.Start(Args(args));

    public async Task<string> CreateTaskAsync(string prompt = "a red kite over the sea") =>
        (await Api.GenerateAsync(TaskApi.Body(prompt))).Id();

    public Task<JsonElement> StatusAsync(string taskId) => Api.StatusAsync(taskId);

    public void Dispose() => Api.Dispose();
}
