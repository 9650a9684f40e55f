using System.Collections.Concurrent;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Testing;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>Two engines on two store instances (two nodes) sharing one database.</summary>
public sealed class PostgresTwoNodeEngineTests() : EngineTestBase(new PostgresTestDatabase())
{
    [Fact]
    public async Task TwoNodes_WhileLeaseValid_JobNeverRunsOnBothAtOnce()
    {
        const int jobs = 300;
        var inside = new ConcurrentDictionary<long, int>();
        var runs = new ConcurrentDictionary<long, int>();
        var overlaps = new ConcurrentQueue<long>();
        var perNode = new ConcurrentDictionary<string, int>();
        JobHandlerRegistry Handlers(string node) => new JobHandlerRegistry().Add("work", async (ctx, ct) =>
        {
            if (inside.AddOrUpdate(ctx.Job.Id, 1, (_, n) => n + 1) > 1)
            {
                overlaps.Enqueue(ctx.Job.Id);
            }

            runs.AddOrUpdate(ctx.Job.Id, 1, (_, n) => n + 1);
            perNode.AddOrUpdate(node, 1, (_, n) => n + 1);
            await Task.Delay(Random.Shared.Next(1, 10), ct);
            inside.AddOrUpdate(ctx.Job.Id, 0, (_, n) => n - 1);
            return JobOutcome.Completed;
        });
        // Leases long enough never to expire here: any second run would be a double claim, not a rescue.
        var a = await StartEngineAsync(Handlers("a"), FastOptions(o => o.LeaseDuration = TimeSpan.FromMinutes(5)));
        await StartEngineAsync(Handlers("b"), FastOptions(o => o.LeaseDuration = TimeSpan.FromMinutes(5)), store: OpenSecondStore());

        var inserted = await a.InsertManyAsync(Enumerable.Range(0, jobs).Select(i => NewJob.Create("work", new { i })));
        await WaitUntilAsync(() => runs.Count == jobs, $"all {jobs} jobs ran", TimeSpan.FromSeconds(60));
        foreach (var result in inserted)
        {
            await WaitForStateAsync(result.Job.Id, JobState.Completed);
        }

        Assert.Empty(overlaps);
        Assert.All(runs.Values, n => Assert.Equal(1, n));
        var attempts = (await Store.JobListAsync(new JobListQuery(Limit: jobs), CancellationToken.None)).Select(j => j.Attempt).Distinct();
        Assert.Equal([1], attempts);
        // Both nodes took part, so the jobs really were contended for.
        Assert.Equal(2, perNode.Count);
    }
}
