using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>
/// The statements that store a batch of outcomes and renew a batch of leases find their rows one primary-key look-up
/// per job, whatever the planner thinks of the batch's size: never a scan of the whole table (which keeps every
/// finished job) and never a loop over the whole batch for each of its rows. Checked on the generic plan, the one a
/// prepared statement settles on after its first runs, with 20,000 jobs in the table and a batch of 1,000.
/// </summary>
public sealed class PostgresOutcomePlanTests : IAsyncLifetime
{
    private const int Jobs = 20_000;
    private const int BatchSize = 1_000;

    private readonly PostgresTestDatabase _database = new();

    public Task InitializeAsync() => GenericPlan.CreateWithJobsAsync(
        _database,
        $"""
        INSERT INTO gq_jobs (kind, queue, args, priority, state, max_attempts, scheduled_at, created_at, attempt, claims, lease_owner, lease_expires_at)
        SELECT 'noop', 'default', '{"{}"}', 0, 'running', 3, 0, 0, 1, 1, 'node-1', 4102444800000 FROM generate_series(1, {Jobs})
        """);

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task FinalizeMany_LooksEachJobUp_AndUpdatesTheBatch()
    {
        var plan = await GenericPlan.ExplainAsync(_database.ConnectionString, SqlText.FinalizeMany, new (string, string, string)[]
        {
            ("ids", "bigint[]", Ids()),
            ("nodes", "text[]", Filled("'node-1'::text")),
            ("claims", "int[]", Filled("1")),
            ("states", "text[]", Filled("'completed'::text")),
            ("nows", "bigint[]", Filled("5::bigint")),
            ("scheduled_ats", "bigint[]", Filled("NULL::bigint")),
            ("errors", "text[]", Filled("NULL::text")),
            ("give_backs", "boolean[]", Filled("false")),
        });

        AssertLooksUpEachRow(plan);
        Assert.Contains($"Update on gq_jobs gq_jobs_1", plan, StringComparison.Ordinal);
        Assert.Matches(UpdatedRows(BatchSize), plan);
    }

    [Fact]
    public async Task RenewLeases_LooksEachJobUp_AndRenewsTheBatch()
    {
        var plan = await GenericPlan.ExplainAsync(_database.ConnectionString, SqlText.RenewLeases, new (string, string, string)[]
        {
            ("ids", "bigint[]", Ids()),
            ("claims", "int[]", Filled("1")),
            ("lease_expires_at", "bigint", "4102444900000"),
            ("node", "text", "'node-1'"),
        });

        AssertLooksUpEachRow(plan);
        Assert.Matches(UpdatedRows(BatchSize), plan);
    }

    [Fact]
    public async Task LeaseStatus_LooksEachJobUp()
    {
        var plan = await GenericPlan.ExplainAsync(_database.ConnectionString, SqlText.LeaseStatus, new (string, string, string)[]
        {
            ("ids", "bigint[]", Ids()),
            ("claims", "int[]", Filled("1")),
            ("node", "text", "'node-1'"),
        });

        AssertLooksUpEachRow(plan);
    }

    private static void AssertLooksUpEachRow(string plan)
    {
        Assert.DoesNotContain("Seq Scan on gq_jobs", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Rows Removed by Join Filter", plan, StringComparison.Ordinal);
    }

    private static Regex UpdatedRows(int rows) => new($@"Update on gq_jobs\S* .*\(actual rows={rows} loops=1\)");

    /// <summary>The ids of a batch: jobs 5,001 to 6,000, in the middle of the table.</summary>
    private static string Ids() => "ARRAY[" + string.Join(",", Enumerable.Range(5_001, BatchSize).Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]::bigint[]";

    private static string Filled(string value) => $"array_fill({value}, ARRAY[{BatchSize}])";
}
