using System.Diagnostics;
using GridQueue.Postgres.Testing;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using Npgsql;

namespace GridQueue.Server.Tests.MultiNode;

/// <summary>
/// Server processes of one test on one fresh PostgreSQL database, the t8star provider pointed at a simulator. Short
/// leases, rescue, sweep and leader intervals, so a killed node's work moves on within seconds.
/// </summary>
internal sealed class PostgresNodes : IAsyncDisposable
{
    private readonly ServerProcessGroup _servers = new("gq-multinode-test-");
    private readonly TestDatabase _database;
    private readonly Uri _simulator;

    private PostgresNodes(TestDatabase database, Uri simulator)
    {
        _database = database;
        _simulator = simulator;
    }

    public string ConnectionString => _database.ConnectionString;

    public IReadOnlyList<ServerProcess> Servers => _servers.Servers;

    public static async Task<PostgresNodes> CreateAsync(Uri simulator) =>
        new(await PostgresTestServer.CreateDatabaseAsync(), simulator);

    /// <summary>The settings of a node; <paramref name="overrides"/> replace or add entries.</summary>
    public Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Storage__Provider"] = "postgres",
            // The pool as shipped (two connections per processor, at least 4): fewer connections than workers, so
            // lease renewals, requests and handlers' writes share it as they do in a deployment.
            ["Storage__ConnectionString"] = ConnectionString,
            ["GridQueue__Engine__MaxWorkers"] = "10",
            ["Logging__LogLevel__GridQueue.Tasks.Providers"] = "Warning",
            ["Storage__LeaderRetryInterval"] = "00:00:01",
            ["Auth__Mode"] = "dev",
            ["Auth__AllowDevMode"] = "true",
            ["Providers__Default"] = "t8star",
            ["Providers__T8Star__BaseUrl"] = _simulator.ToString(),
            ["Providers__T8Star__ApiKey"] = SimulatorOptions.DefaultApiKey,
            ["Tasks__PollInterval"] = "00:00:00.250",
            ["Tasks__SweepInterval"] = "00:00:01",
            ["Api__GeneratePerMinute"] = "0",
            ["Api__ActionsPerMinute"] = "0",
            // Short enough to rescue a killed node's jobs within seconds, long enough for renewals on a busy machine.
            ["GridQueue__Engine__LeaseDuration"] = "00:00:06",
            ["GridQueue__Engine__RescueInterval"] = "00:00:01",
            ["GridQueue__Engine__CancelCheckInterval"] = "00:00:01",
            ["GridQueue__Engine__PollInterval"] = "00:00:01",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public Task<ServerProcess> StartAsync(string name, IReadOnlyDictionary<string, string>? overrides = null) =>
        _servers.StartAsync(Environment(overrides), name);

    public string Tails(int lines = 300) => _servers.Tails(lines);

    /// <summary>Runs one query on the shared database and reads its rows.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Runs the server program with other arguments (a command such as backup) to its end.</summary>
    public async Task<(int ExitCode, string Output)> RunCommandAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _servers.Folder,
        };
        info.ArgumentList.Add(ServerProcess.ServerDll());
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run the server program.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await _servers.DisposeAsync();
        await _database.DisposeAsync();
    }
}
