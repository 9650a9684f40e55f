using System.Globalization;
using GridQueue.Bench.Shared;

namespace GridQueue.Bench.Tasks;

/// <summary>The environment every server node of a run starts with.</summary>
internal static class ServerSettings
{
    public static Dictionary<string, string> For(TaskBenchOptions options, string folder, Uri simulator, PostgresScratchDatabase? database)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Dev tokens are signed with the public dev secret, so one node's token is good on every node; on
            // PostgreSQL the Data Protection key ring is a table of the shared database, so nothing else is shared.
            ["Auth__Mode"] = "dev",
            ["Auth__AllowDevMode"] = "true",
            ["Api__GeneratePerMinute"] = "0",
            ["Api__ActionsPerMinute"] = "0",
            ["Tasks__MaxRunningPerUser"] = "0",
            ["Tasks__PollInterval"] = options.Poll.ToString("c", CultureInfo.InvariantCulture),
            ["Providers__Default"] = "t8star",
            ["Providers__T8Star__BaseUrl"] = simulator.ToString(),
            ["Providers__T8Star__ApiKey"] = TaskBenchmark.SimulatorKey,
            ["GridQueue__Engine__MaxWorkers"] = options.Workers.ToString(CultureInfo.InvariantCulture),
        };
        if (database is null)
        {
            environment["Storage__ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}";
        }
        else
        {
            environment["Storage__Provider"] = "postgres";
            environment["Storage__ConnectionString"] = database.ConnectionString;
        }

        foreach (var (name, value) in options.ServerEnvironment)
        {
            environment[name] = value;
        }

        return environment;
    }
}
