using System.Collections.Concurrent;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using Xunit;

namespace GridQueue.Storage.Testing;

/// <summary>
/// Claiming ahead (<see cref="Engine.Options.JobEngineOptions.ClaimAhead"/>) on a real store: quick handlers get jobs
/// claimed beyond the free slots, every job still runs once, the pool bound holds, and jobs held ready when the
/// engine stops go back to the queue with their attempt unused.
/// </summary>
public abstract class ClaimAheadContractTests(ITestDatabase database) : EngineTestBase(database)
{
    [Fact]
    public async Task QuickHandlers_AreClaimedAhead_YetTheBoundHolds_AndEachJobRunsOnce()
    {
        const int workers = 4;
        var runs = new ConcurrentDictionary<long, int>();
        var current = 0;
        var peakRunning = 0;
        var peakHeldReady = 0;
        var handlers = new JobHandlerRegistry().Add("quick", async (ctx, ct) =>
        {
            InterlockedMax(ref peakRunning, Interlocked.Increment(ref current));
            runs.AddOrUpdate(ctx.Job.Id, 1, (_, n) => n + 1);

            // Quick, but not instant: the 2,000 jobs then take about half a second, and the store is looked at
            // often enough while they drain to see what was claimed ahead.
            await Task.Delay(1, ct);
            Interlocked.Decrement(ref current);
            return JobOutcome.Completed;
        });
        var engine = await StartEngineAsync(handlers, FastOptions(o => (o.MaxWorkers, o.ClaimAhead) = (workers, 40)));

        await engine.InsertManyAsync(Enumerable.Range(0, 2000).Select(i => NewJob.Create("quick", new { i })));
        while (runs.Count < 2000)
        {
            peakHeldReady = Math.Max(peakHeldReady, await HeldReadyAsync(runs));
            await Task.Delay(5);
        }

        Assert.All(runs.Values, n => Assert.Equal(1, n));
        Assert.InRange(peakRunning, 1, workers);
        Assert.True(peakHeldReady > workers, $"At most {peakHeldReady} claimed jobs waited to start: none was claimed ahead.");
        Assert.InRange(peakHeldReady, 1, workers + 40);
    }

    [Fact]
    public async Task Stop_JobsHeldReady_GoBackToTheQueue_WithTheirAttemptUnused_AndRunOnceElsewhere()
    {
        var runs = new ConcurrentDictionary<long, int>();
        var blocking = true;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("work", async (ctx, _) =>
        {
            runs.AddOrUpdate(ctx.Job.Id, 1, (_, n) => n + 1);
            if (Volatile.Read(ref blocking) && runs.Count > 300)
            {
                await gate.Task;
            }

            return JobOutcome.Completed;
        });
        // Jobs never count as waiting too long here, so what the engine claims ahead only grows (however loaded the machine).
        var first = await StartEngineAsync(handlers, FastOptions(o => (o.MaxWorkers, o.ClaimAhead, o.ClaimAheadMaxWait) = (2, 50, TimeSpan.FromMinutes(1))));
        var inserted = await first.InsertManyAsync(Enumerable.Range(0, 1000).Select(i => NewJob.Create("work", new { i })));

        // 300 quick handlers first, so the engine claims ahead; then both slots block and what it claimed waits ready.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await HeldReadyAsync(runs) <= 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "The engine never held jobs ready.");
            await Task.Delay(5);
        }

        var stopping = first.StopAsync(CancellationToken.None);
        await Task.Delay(200);
        var startedBeforeRelease = runs.Count;
        gate.SetResult();
        await stopping;
        var ranOnFirst = runs.Keys.ToHashSet();
        var afterStop = await Store.JobListAsync(new JobListQuery(Limit: 1000), CancellationToken.None);

        // The two blocked handlers finish; no job held ready starts once the stop has begun.
        Assert.Equal(startedBeforeRelease, ranOnFirst.Count);
        Assert.DoesNotContain(afterStop, j => j.State == JobState.Running);
        Assert.All(afterStop.Where(j => !ranOnFirst.Contains(j.Id)), j => Assert.Equal(0, j.Attempt));

        Volatile.Write(ref blocking, false);
        await StartEngineAsync(handlers, FastOptions());
        foreach (var job in inserted)
        {
            await WaitForStateAsync(job.Job.Id, JobState.Completed);
        }

        Assert.Equal(1000, runs.Count);
        Assert.All(runs.Values, n => Assert.Equal(1, n));
    }

    /// <summary>Jobs running in the database (claimed) whose handler has not started: held ready, or about to start.</summary>
    private async Task<int> HeldReadyAsync(ConcurrentDictionary<long, int> started)
    {
        var running = await Store.JobListAsync(new JobListQuery(JobState.Running, Limit: 1000), CancellationToken.None);
        return running.Count(j => !started.ContainsKey(j.Id));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var prior = Interlocked.CompareExchange(ref target, value, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }
}
