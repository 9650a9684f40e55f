using System.Collections.Concurrent;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Testing;
using Xunit;
using Xunit.Abstractions;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>Engines in separate OS processes on one SQLite file: a SIGKILLed node, and two nodes sharing the work.</summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private SqliteJobStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = _database.OpenStore();
        await _store.MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task KilledWorker_SecondEngineRescuesAndCompletesEveryJob()
    {
        const int jobCount = 120;
        const int inFlight = 40;
        var client = new JobEngine(_store, new JobEngineOptions(), new JobHandlerRegistry());
        var ids = (await client.InsertManyAsync(Enumerable.Range(0, jobCount).Select(_ => new NewJob("sleep", "{}") { MaxAttempts = 5 })))
            .Select(r => r.Job.Id).ToHashSet();
        var runsLog = Path.Combine(_database.Folder, "runs-killed.log");

        // The child claims 40 long jobs (30 s each) and is killed while they run.
        using (var worker = WorkerProcess.Start(_database.FilePath, runsLog, workers: inFlight, jobMs: 30_000, leaseMs: 2_000, exitWhenEmpty: false))
        {
            await worker.WaitReadyAsync(TimeSpan.FromSeconds(30));
            await Eventually.UntilAsync(() => RunsLog.Read(runsLog).Count >= inFlight, "the child started 40 jobs", TimeSpan.FromSeconds(30));
            worker.KillHard();
        }

        var killedRuns = RunsLog.Read(runsLog);
        Assert.Equal(inFlight, killedRuns.Count);
        var running = await _store.JobListAsync(new JobListQuery(State: JobState.Running, Limit: 1000), CancellationToken.None);
        Assert.Equal(inFlight, running.Count);

        // A second engine on the same file: it must rescue the 40 orphans once their leases lapse, and run the rest.
        var secondRuns = new ConcurrentDictionary<long, int>();
        var handlers = new JobHandlerRegistry().Add("sleep", async (ctx, ct) =>
        {
            secondRuns.AddOrUpdate(ctx.Job.Id, 1, (_, n) => n + 1);
            await Task.Delay(5, ct);
            return JobOutcome.Completed;
        });
        await using var rescuer = new JobEngine(_database.OpenStore(), new JobEngineOptions
        {
            MaxWorkers = 20,
            LeaseDuration = TimeSpan.FromSeconds(5),
            RescueInterval = TimeSpan.FromMilliseconds(250),
            PollInterval = TimeSpan.FromMilliseconds(200),
        }, handlers);
        await rescuer.StartAsync(CancellationToken.None);

        await Eventually.UntilAsync(() => CountCompleted().Result == jobCount, "every job completed", TimeSpan.FromSeconds(60));

        var all = await _store.JobListAsync(new JobListQuery(Limit: 1000), CancellationToken.None);
        Assert.Equal(ids.Order(), all.Select(j => j.Id).Order());
        Assert.All(all, j => Assert.Equal(JobState.Completed, j.State));
        var ranTwice = killedRuns.Select(r => r.JobId).Where(secondRuns.ContainsKey).ToList();
        Assert.Equal(inFlight, ranTwice.Count);
        Assert.All(killedRuns, r => Assert.Equal(2, all.Single(j => j.Id == r.JobId).Attempt));
        Assert.All(secondRuns.Values, n => Assert.Equal(1, n));
        output.WriteLine($"{jobCount} jobs, child SIGKILLed with {inFlight} running: 0 lost, {ranTwice.Count} ran twice (the ones in flight at the kill).");
    }

    [Fact]
    public async Task KilledBeforeOutcomeStored_JobRunsAgainAndEndsCompleted()
    {
        const int jobCount = 3;
        var client = new JobEngine(_store, new JobEngineOptions(), new JobHandlerRegistry());
        var ids = (await client.InsertManyAsync(Enumerable.Range(0, jobCount).Select(_ => new NewJob("sleep", "{}") { MaxAttempts = 5 })))
            .Select(r => r.Job.Id).ToHashSet();
        var runsLog = Path.Combine(_database.Folder, "runs-held.log");
        var heldLog = Path.Combine(_database.Folder, "held-outcomes.log");

        // The child's handlers return at once, but the store never writes their outcomes: the first batch it is
        // handed logs its ids and never finishes, and the outcomes after it wait behind it in memory. Once every job
        // has run and an outcome batch has reached the store, the child is killed.
        using (var worker = WorkerProcess.Start(_database.FilePath, runsLog, workers: 4, jobMs: 0, leaseMs: 2_000, exitWhenEmpty: false, heldOutcomesLog: heldLog))
        {
            await worker.WaitReadyAsync(TimeSpan.FromSeconds(30));
            await Eventually.UntilAsync(
                () => RunsLog.Read(runsLog).Count == jobCount && HeldOutcomesLog.Read(heldLog).Count > 0,
                "every job ran and an outcome batch reached the store",
                TimeSpan.FromSeconds(30));
            worker.KillHard();
        }

        var held = HeldOutcomesLog.Read(heldLog);
        Assert.Subset(ids, held); // outcomes of handlers that returned, in the store's hands when the process died
        var killedRuns = RunsLog.Read(runsLog);
        Assert.Equal(ids.Order(), killedRuns.Select(r => r.JobId).Order());
        Assert.All(killedRuns, r => Assert.Equal(1, r.Attempt));
        var afterKill = await _store.JobListAsync(new JobListQuery(Limit: 100), CancellationToken.None);
        Assert.All(afterKill, j => Assert.Equal(JobState.Running, j.State)); // the handlers ran; the store never heard

        // A second engine rescues them once the dead child's leases lapse and runs each once more.
        var secondRuns = new ConcurrentDictionary<long, int>();
        var handlers = new JobHandlerRegistry().Add("sleep", (ctx, ct) =>
        {
            secondRuns.AddOrUpdate(ctx.Job.Id, 1, (_, n) => n + 1);
            return Task.FromResult(JobOutcome.Completed);
        });
        await using (var rescuer = new JobEngine(_database.OpenStore(), new JobEngineOptions
        {
            MaxWorkers = 4,
            RescueInterval = TimeSpan.FromMilliseconds(250),
            PollInterval = TimeSpan.FromMilliseconds(200),
        }, handlers))
        {
            await rescuer.StartAsync(CancellationToken.None);
            await Eventually.UntilAsync(() => CountCompleted().Result == jobCount, "every job completed", TimeSpan.FromSeconds(60));
            await rescuer.StopAsync(CancellationToken.None);
        }

        var all = await _store.JobListAsync(new JobListQuery(Limit: 100), CancellationToken.None);
        Assert.Equal(ids.Order(), all.Select(j => j.Id).Order());
        Assert.All(all, j => Assert.Equal(JobState.Completed, j.State));
        Assert.All(all, j => Assert.Equal(2, j.Attempt));
        Assert.Equal(ids.Order(), secondRuns.Keys.Order());
        Assert.All(secondRuns.Values, n => Assert.Equal(1, n));
        output.WriteLine($"{jobCount} jobs whose handlers returned in a process killed before their outcomes were stored: each ran twice and ended completed.");
    }

    [Fact]
    public async Task TwoWorkerProcesses_ShareOneFile_EachJobRunsExactlyOnce()
    {
        const int jobCount = 1500;
        var client = new JobEngine(_store, new JobEngineOptions(), new JobHandlerRegistry());
        // Due a few seconds from now, so that both processes are up before the first job can be claimed.
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(8);
        await client.InsertManyAsync(Enumerable.Range(0, jobCount).Select(_ => new NewJob("sleep", "{}") { ScheduledAt = dueAt }));
        // One log per process: two processes appending to one file could interleave their writes.
        var logA = Path.Combine(_database.Folder, "runs-a.log");
        var logB = Path.Combine(_database.Folder, "runs-b.log");

        using var a = WorkerProcess.Start(_database.FilePath, logA, workers: 16, jobMs: 2, leaseMs: 10_000, exitWhenEmpty: true);
        using var b = WorkerProcess.Start(_database.FilePath, logB, workers: 16, jobMs: 2, leaseMs: 10_000, exitWhenEmpty: true);
        await a.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await b.WaitReadyAsync(TimeSpan.FromSeconds(30));
        Assert.True(DateTimeOffset.UtcNow < dueAt, "both workers must be running before the jobs fall due");
        Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        Assert.Equal(0, await b.WaitForExitAsync(TimeSpan.FromSeconds(120)));

        var runs = RunsLog.Read(logA).Concat(RunsLog.Read(logB)).ToList();
        Assert.Equal(jobCount, runs.Count);
        Assert.Equal(jobCount, runs.Select(r => r.JobId).Distinct().Count());
        Assert.Equal(jobCount, await CountCompleted());
        var perProcess = runs.GroupBy(r => r.Pid).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, perProcess.Count);
        output.WriteLine($"{jobCount} jobs over two processes: {string.Join(", ", perProcess.Values)}; none ran twice.");
    }

    private async Task<int> CountCompleted()
    {
        var count = 0;
        long after = 0;
        while (true)
        {
            var page = await _store.JobListAsync(new JobListQuery(State: JobState.Completed, AfterId: after, Limit: 1000), CancellationToken.None);
            count += page.Count;
            if (page.Count < 1000)
            {
                return count;
            }

            after = page[^1].Id;
        }
    }
}
