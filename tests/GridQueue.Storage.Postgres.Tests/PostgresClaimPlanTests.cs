using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>
/// The statements a node runs at every claim, and its chores, read the rows they take and a few more, never the whole
/// table, which keeps every finished job. Checked on the generic plan (<see cref="GenericPlan"/>) in a table shaped
/// like a busy server's: 20,000 jobs, half of them polls scheduled far ahead, a few due, a few running (some with
/// expired leases), the rest finished long ago.
/// </summary>
public sealed class PostgresClaimPlanTests : IAsyncLifetime
{
    private const int Jobs = 20_000;

    /// <summary>
    /// The most rows any step of a plan below may produce: well above what the statements take (100) and look at
    /// (a claim window of 400, 200 running jobs), well below the table.
    /// </summary>
    private const int FewRows = 1_000;

    private readonly PostgresTestDatabase _database = new();

    /// <summary>
    /// By id: 1 in 100 due now, 1 in 100 running (half of them with an expired lease), one in two scheduled a century
    /// ahead, the rest completed at time 1000. Fairness keys by hundreds: 4 due and 4 running jobs per key.
    /// </summary>
    public Task InitializeAsync() => GenericPlan.CreateWithJobsAsync(
        _database,
        $"""
        INSERT INTO gq_jobs (kind, queue, args, priority, state, max_attempts, scheduled_at, created_at, attempt, claims,
                             lease_owner, lease_expires_at, finalized_at, fairness_key)
        SELECT 'noop', 'default', '{"{}"}', 0,
               CASE WHEN i % 100 = 1 THEN 'available' WHEN i % 100 = 3 THEN 'running'
                    WHEN i % 2 = 0 THEN 'scheduled' ELSE 'completed' END,
               3,
               CASE WHEN i % 100 = 1 THEN 1 WHEN i % 2 = 0 THEN 4102444800000 ELSE 1 END,
               0, 1, 1,
               CASE WHEN i % 100 = 3 THEN 'node-1' END,
               CASE WHEN i % 200 = 3 THEN 500 WHEN i % 100 = 3 THEN 4102444800000 END,
               CASE WHEN i % 100 NOT IN (1, 3) AND i % 2 = 1 THEN 1000 END,
               'user-' || (i / 100 % 50)
        FROM generate_series(1, {Jobs}) AS i
        """);

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task ClaimUnlimited_ReadsTheJobsItTakes()
    {
        var plan = await ExplainAsync(SqlText.ClaimUnlimited, [.. ClaimArguments]);

        AssertReadsFewRows(plan);
        Assert.Contains("Update on gq_jobs (actual rows=100 loops=1)", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClaimWithinLimits_ReadsTheJobsItTakesAndTheRunningOnes()
    {
        var plan = await ExplainAsync(
            SqlText.Claim, [.. ClaimArguments, ("max_running", "int[]", "ARRAY[1000]"), ("key_limit", "int", "10"), ("window", "int", "400")]);

        AssertReadsFewRows(plan);
        Assert.Contains("Update on gq_jobs (actual rows=100 loops=1)", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NextScheduled_ProbesEachQueueOnce()
    {
        var plan = await ExplainAsync(SqlText.NextScheduled, ("queues", "text[]", "ARRAY['default', 'other']"));

        Assert.DoesNotContain("Seq Scan on gq_jobs", plan, StringComparison.Ordinal);
        Assert.True(GenericPlan.MostRowsOfANode(plan) <= 2, plan); // one row per queue at most
    }

    [Fact]
    public async Task RescueExpired_ReadsTheJobsItRescues()
    {
        var plan = await ExplainAsync(SqlText.RescueExpired, ("now", "bigint", "2000"), ("limit", "int", "50"), ("max_errors", "int", "20"));

        AssertReadsFewRows(plan);
        Assert.Contains("Update on gq_jobs (actual rows=50 loops=1)", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteFinished_ReadsTheJobsItDeletes()
    {
        var plan = await ExplainAsync(
            SqlText.DeleteFinished, ("finished_before", "bigint", "2000"), ("discarded_before", "bigint", "2000"), ("limit", "int", "100"));

        AssertReadsFewRows(plan);
        Assert.Contains("Delete on gq_jobs (actual rows=0 loops=1)", plan, StringComparison.Ordinal); // DELETE returns nothing
    }

    /// <summary>The arguments both claim statements take: claim up to 100 due jobs of the default queue for node-2.</summary>
    private static readonly (string Name, string Type, string Value)[] ClaimArguments =
    [
        ("queues", "text[]", "ARRAY['default']"),
        ("now", "bigint", "2000"),
        ("limit", "int", "100"),
        ("node", "text", "'node-2'"),
        ("lease_expires_at", "bigint", "4102444800000"),
    ];

    private Task<string> ExplainAsync(string sql, params (string Name, string Type, string Value)[] arguments) =>
        GenericPlan.ExplainAsync(_database.ConnectionString, sql, arguments);

    private static void AssertReadsFewRows(string plan)
    {
        Assert.DoesNotContain("Seq Scan on gq_jobs ", plan, StringComparison.Ordinal);
        Assert.True(GenericPlan.MostRowsOfANode(plan) <= FewRows, plan);
    }
}
