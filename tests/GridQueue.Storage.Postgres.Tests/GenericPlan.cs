using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>
/// Explains a statement of the store on the generic plan: the one a prepared statement settles on after its first
/// runs, whatever the values bound. The plan tests check it reads rows by index, not the whole table.
/// </summary>
internal static class GenericPlan
{
    /// <summary>Creates and migrates <paramref name="database"/>, fills gq_jobs with <paramref name="insertJobs"/> and analyzes it.</summary>
    public static async Task CreateWithJobsAsync(PostgresTestDatabase database, string insertJobs)
    {
        await database.CreateAsync();
        await database.OpenStore().MigrateAsync(CancellationToken.None);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var fill = new NpgsqlCommand(insertJobs.Trim().TrimEnd(';') + ";\nANALYZE gq_jobs;", connection);
        await fill.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> with its @parameters as $1, $2, ... and explains an execution with
    /// <paramref name="arguments"/> (SQL expressions), on the generic plan.
    /// </summary>
    public static async Task<string> ExplainAsync(string connectionString, string sql, (string Name, string Type, string Value)[] arguments)
    {
        var text = string.Join('\n', sql.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim().TrimEnd(';');
        for (var i = 0; i < arguments.Length; i++)
        {
            text = ParameterName(arguments[i].Name).Replace(text, "$" + (i + 1).ToString(CultureInfo.InvariantCulture));
        }

        Assert.DoesNotContain("@", text, StringComparison.Ordinal); // every parameter is given
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var prepare = new NpgsqlCommand(
            $"SET plan_cache_mode = force_generic_plan; PREPARE checked({string.Join(", ", arguments.Select(a => a.Type))}) AS {text}",
            connection);
        await prepare.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand(
            $"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) EXECUTE checked({string.Join(", ", arguments.Select(a => a.Value))})", connection);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    private static Regex ParameterName(string name) => new($@"@{name}\b");

    /// <summary>The most rows any node of an explained plan produced (its "actual rows").</summary>
    public static int MostRowsOfANode(string plan) =>
        Regex.Matches(plan, @"actual rows=(\d+)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
}
