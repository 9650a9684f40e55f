using System.Collections.Concurrent;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Testing;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>
/// Claimers on two store instances (two nodes) race for jobs under a queue limit and a fairness-key limit. Each
/// claimer keeps what it claimed for a moment before finishing it, so many jobs run at once and the limits bind.
/// </summary>
public sealed class PostgresRacingClaimTests() : StoreTestBase(new PostgresTestDatabase())
{
    private const int Jobs = 600;
    private const int QueueLimit = 6;
    private const int KeyLimit = 2;
    private const int Users = 5;

    [Fact]
    public async Task Claim_RacingClaimersOnTwoStores_NeverExceedLimitsOrClaimTwice()
    {
        await Store.JobInsertManyAsync(
            [.. Enumerable.Range(0, Jobs).Select(i => Row(queue: "video", fairnessKey: $"user-{i % Users}"))], null, CancellationToken.None);
        var second = OpenSecondStore();
        var limits = new[] { new QueueLimit("video", QueueLimit) };

        // What the claimers hold right now, counted before each finalization is sent: the database's running jobs
        // are never fewer, so a count above a limit here proves the database exceeded it.
        var heldPerKey = new ConcurrentDictionary<string, int>();
        var heldInQueue = 0;
        var claimedBy = new ConcurrentDictionary<long, string>();
        var violations = new ConcurrentQueue<string>();
        var finished = 0;

        async Task Claimer(IJobStore store, string node)
        {
            while (Volatile.Read(ref finished) < Jobs)
            {
                var jobs = await ClaimAsync(3, node: node, keyLimit: KeyLimit, queues: limits, store: store);
                foreach (var job in jobs)
                {
                    if (!claimedBy.TryAdd(job.Id, node))
                    {
                        violations.Enqueue($"job {job.Id} claimed by {claimedBy[job.Id]} and {node}");
                    }

                    var inQueue = Interlocked.Increment(ref heldInQueue);
                    var forKey = heldPerKey.AddOrUpdate(job.FairnessKey!, 1, (_, n) => n + 1);
                    if (inQueue > QueueLimit)
                    {
                        violations.Enqueue($"{inQueue} jobs of the queue running (limit {QueueLimit})");
                    }

                    if (forKey > KeyLimit)
                    {
                        violations.Enqueue($"{forKey} jobs of {job.FairnessKey} running (limit {KeyLimit})");
                    }
                }

                await Task.Delay(jobs.Count == 0 ? 1 : Random.Shared.Next(0, 3));
                foreach (var job in jobs)
                {
                    heldPerKey.AddOrUpdate(job.FairnessKey!, 0, (_, n) => n - 1);
                    Interlocked.Decrement(ref heldInQueue);
                }

                await store.JobFinalizeManyAsync(
                    [.. jobs.Select(j => new JobFinalization(j.Id, node, j.Claims, JobState.Completed, T0, null, null, false))],
                    CancellationToken.None);
                Interlocked.Add(ref finished, jobs.Count);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Claimer(i % 2 == 0 ? Store : second, $"node-{i}"))));

        Assert.Empty(violations);
        Assert.Equal(Jobs, claimedBy.Count);
        Assert.Empty(await Store.JobListAsync(new JobListQuery(State: JobState.Running), CancellationToken.None));
    }
}
