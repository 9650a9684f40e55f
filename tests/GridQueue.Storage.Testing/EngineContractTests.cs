using System.Collections.Concurrent;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace GridQueue.Storage.Testing;

/// <summary>The engine's behaviour on a real store: every backend derives from this class once.</summary>
public abstract class EngineContractTests(ITestDatabase database) : EngineTestBase(database)
{
    [Fact]
    public async Task Insert_OnIdleEngine_WakesProducerWithoutWaitingForPoll()
    {
        var ran = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("work", (ctx, _) =>
        {
            ran.TrySetResult(ctx.Job.Id);
            return Task.FromResult(JobOutcome.Completed);
        });
        // A poll interval far longer than the test's patience: only the insert's wake-up can start the job.
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.PollInterval = TimeSpan.FromMinutes(5)));
        await Task.Delay(300);

        var inserted = await engine.InsertAsync(new NewJob("work", "{}"));

        Assert.Equal(inserted.Job.Id, await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await WaitForStateAsync(inserted.Job.Id, JobState.Completed);
    }

    [Fact]
    public async Task Engine_ManyJobs_EachRunsOnceAndCompletes()
    {
        var runs = new ConcurrentDictionary<long, int>();
        var handlers = new JobHandlerRegistry().Add("work", (ctx, _) =>
        {
            runs.AddOrUpdate(ctx.Job.Id, 1, (_, n) => n + 1);
            return Task.FromResult(JobOutcome.Completed);
        });
        var engine = await StartEngineAsync(handlers);

        var inserted = await engine.InsertManyAsync(Enumerable.Range(0, 300).Select(i => NewJob.Create("work", new { i })));
        await WaitUntilAsync(() => runs.Count == 300, "all 300 jobs ran");

        foreach (var result in inserted)
        {
            await WaitForStateAsync(result.Job.Id, JobState.Completed);
        }

        Assert.All(runs.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Engine_PoolSize_BoundsConcurrentHandlers()
    {
        var current = 0;
        var peak = 0;
        var handlers = new JobHandlerRegistry().Add("slow", async (_, ct) =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            await Task.Delay(30, ct);
            Interlocked.Decrement(ref current);
            return JobOutcome.Completed;
        });
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.MaxWorkers = 3));

        var jobs = await engine.InsertManyAsync(Enumerable.Range(0, 30).Select(_ => new NewJob("slow", "{}")));
        foreach (var job in jobs)
        {
            await WaitForStateAsync(job.Job.Id, JobState.Completed);
        }

        Assert.InRange(peak, 1, 3);
    }

    [Fact]
    public async Task Failure_RetriesWithExponentialBackoffOnFakeClock()
    {
        var time = new FakeTimeProvider(T0);
        var attempts = new ConcurrentQueue<int>();
        var handlers = new JobHandlerRegistry().Add("flaky", (ctx, _) =>
        {
            attempts.Enqueue(ctx.Job.Attempt);
            return Task.FromResult(JobOutcome.Failed($"boom {ctx.Job.Attempt}"));
        });
        var options = FastOptions(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(10);
            o.RetryMaxDelay = TimeSpan.FromMinutes(10);
            o.LeaseDuration = TimeSpan.FromHours(1);
        });
        var engine = await StartEngineAsync(handlers, options, time);
        var id = (await engine.InsertAsync(new NewJob("flaky", "{}") { MaxAttempts = 4 })).Job.Id;

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var retry = await WaitForStateAsync(id, JobState.Retryable);
            var expected = TimeSpan.FromSeconds(10 * Math.Pow(2, attempt - 1));
            var delay = retry.ScheduledAt - time.GetUtcNow();
            Assert.InRange(delay, expected * 0.8 - TimeSpan.FromMilliseconds(1), expected * 1.2 + TimeSpan.FromMilliseconds(1));
            Assert.Equal(attempt, retry.Attempt);
            Assert.Equal($"boom {attempt}", retry.Errors[^1].Message);

            // Just before the back-off ends nothing runs; at its end the producer's timer claims it.
            time.Advance(delay - TimeSpan.FromMilliseconds(5));
            await Task.Delay(100);
            Assert.Equal(attempt, attempts.Count);
            time.Advance(TimeSpan.FromMilliseconds(5));
            await WaitUntilAsync(() => attempts.Count == attempt + 1, $"attempt {attempt + 1} ran");
        }

        var discarded = await WaitForStateAsync(id, JobState.Discarded);
        Assert.Equal([1, 2, 3, 4], attempts);
        Assert.Equal(4, discarded.Errors.Count);
    }

    [Fact]
    public async Task Failure_WithHandlerNamedDelay_RetriesAfterThatDelay()
    {
        var time = new FakeTimeProvider(T0);
        var handlers = new JobHandlerRegistry().Add("rate-limited", (_, _) =>
            Task.FromResult(JobOutcome.Failed("429 from upstream", retryAfter: TimeSpan.FromSeconds(37))));
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.LeaseDuration = TimeSpan.FromHours(1)), time);

        var id = (await engine.InsertAsync(new NewJob("rate-limited", "{}"))).Job.Id;

        var retry = await WaitForStateAsync(id, JobState.Retryable);
        Assert.Equal(time.GetUtcNow().AddSeconds(37), retry.ScheduledAt);
    }

    [Fact]
    public async Task Snooze_RunsAgainLaterWithoutUsingAnAttempt()
    {
        var runs = 0;
        var handlers = new JobHandlerRegistry().Add("poll", (ctx, _) =>
        {
            var n = Interlocked.Increment(ref runs);
            Assert.Equal(1, ctx.Job.Attempt);
            return Task.FromResult(n < 5 ? JobOutcome.Snooze(TimeSpan.FromMilliseconds(20)) : JobOutcome.Completed);
        });
        var engine = await StartEngineAsync(handlers);

        var id = (await engine.InsertAsync(new NewJob("poll", "{}") { MaxAttempts = 1 })).Job.Id;

        var done = await WaitForStateAsync(id, JobState.Completed);
        Assert.Equal(5, runs);
        Assert.Equal(1, done.Attempt);
        Assert.Empty(done.Errors);
    }

    [Fact]
    public async Task Failure_AfterMaxAttempts_IsDiscardedAndCanBeRequeued()
    {
        var succeed = false;
        var handlers = new JobHandlerRegistry().Add("fragile", (_, _) =>
            Task.FromResult(Volatile.Read(ref succeed) ? JobOutcome.Completed : JobOutcome.Failed("not yet")));
        var engine = await StartEngineAsync(handlers);

        var id = (await engine.InsertAsync(new NewJob("fragile", "{}") { MaxAttempts = 2 })).Job.Id;
        var discarded = await WaitForStateAsync(id, JobState.Discarded);
        Assert.Equal(2, discarded.Attempt);
        Assert.Equal(2, discarded.Errors.Count);

        Volatile.Write(ref succeed, true);
        var requeued = await engine.RequeueAsync(id);
        Assert.Equal(JobState.Available, requeued!.State);

        var done = await WaitForStateAsync(id, JobState.Completed);
        Assert.Equal(1, done.Attempt);
        Assert.Equal(2, done.Errors.Count);
    }

    [Fact]
    public async Task Discard_PermanentError_EndsAfterOneAttempt()
    {
        var handlers = new JobHandlerRegistry().Add("bad", (_, _) => Task.FromResult(JobOutcome.Discard("401: wrong API key")));
        var engine = await StartEngineAsync(handlers);

        var id = (await engine.InsertAsync(new NewJob("bad", "{}") { MaxAttempts = 10 })).Job.Id;

        var job = await WaitForStateAsync(id, JobState.Discarded);
        Assert.Equal(1, job.Attempt);
        Assert.Equal("401: wrong API key", Assert.Single(job.Errors).Message);
    }

    [Fact]
    public async Task Handler_Throws_CountsAsFailureWithMessage()
    {
        ExpectErrorLogs = true;
        var handlers = new JobHandlerRegistry().Add("throws", (_, _) => throw new InvalidOperationException("disk full"));
        var engine = await StartEngineAsync(handlers);

        var id = (await engine.InsertAsync(new NewJob("throws", "{}") { MaxAttempts = 1 })).Job.Id;

        var job = await WaitForStateAsync(id, JobState.Discarded);
        Assert.Equal("InvalidOperationException: disk full", Assert.Single(job.Errors).Message);
    }

    [Fact]
    public async Task Handler_UnknownKind_FailsWithMessageNamingTheKind()
    {
        var engine = await StartEngineAsync(new JobHandlerRegistry());

        var id = (await engine.InsertAsync(new NewJob("nobody-handles-this", "{}") { MaxAttempts = 1 })).Job.Id;

        var job = await WaitForStateAsync(id, JobState.Discarded);
        Assert.Contains("nobody-handles-this", Assert.Single(job.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_ReturnsCancel_EndsCancelled()
    {
        var handlers = new JobHandlerRegistry().Add("gives-up", (_, _) => Task.FromResult(JobOutcome.Cancel("user left")));
        var engine = await StartEngineAsync(handlers);

        var id = (await engine.InsertAsync(new NewJob("gives-up", "{}"))).Job.Id;

        var job = await WaitForStateAsync(id, JobState.Cancelled);
        Assert.Equal("cancelled: user left", Assert.Single(job.Errors).Message);
    }

    [Fact]
    public async Task Cancel_WaitingJob_NeverRuns()
    {
        var ran = false;
        var handlers = new JobHandlerRegistry().Add("later", (_, _) =>
        {
            ran = true;
            return Task.FromResult(JobOutcome.Completed);
        });
        var engine = await StartEngineAsync(handlers);
        var id = (await engine.InsertAsync(new NewJob("later", "{}") { ScheduledAt = DateTimeOffset.UtcNow.AddMilliseconds(500) })).Job.Id;

        var cancelled = await engine.CancelAsync(id);
        await Task.Delay(1000);

        Assert.Equal(JobState.Cancelled, cancelled!.State);
        Assert.False(ran);
        Assert.Equal(JobState.Cancelled, (await GetAsync(id)).State);
    }

    [Fact]
    public async Task Cancel_RunningJobOnThisNode_SignalsHandlerAndEndsCancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("long", async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return JobOutcome.Completed;
        });
        var engine = await StartEngineAsync(handlers);
        var id = (await engine.InsertAsync(new NewJob("long", "{}"))).Job.Id;
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await engine.CancelAsync(id);

        var job = await WaitForStateAsync(id, JobState.Cancelled, TimeSpan.FromSeconds(5));
        Assert.NotNull(job.CancelRequestedAt);
        Assert.Equal(0, engine.ActiveHandlers);
    }

    [Fact]
    public async Task Cancel_RunningJobFromAnotherNode_SignalsHandlerWithinCheckInterval()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("long", async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return JobOutcome.Completed;
        });
        var worker = await StartEngineAsync(handlers, store: OpenSecondStore());
        var api = Client();
        var id = (await api.InsertAsync(new NewJob("long", "{}"))).Job.Id;
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await api.CancelAsync(id);

        await WaitForStateAsync(id, JobState.Cancelled, TimeSpan.FromSeconds(5));
        await WaitUntilAsync(() => worker.ActiveHandlers == 0, "the worker's handler ended");
    }

    [Fact]
    public async Task FairnessKeyLimit_HoldsAcrossTwoEnginesUnderContention()
    {
        const int limit = 2;
        var running = new ConcurrentDictionary<string, int>();
        var peak = new ConcurrentDictionary<string, int>();
        var handlers = new JobHandlerRegistry().Add("user-task", async (ctx, ct) =>
        {
            var key = ctx.Job.FairnessKey!;
            var now = running.AddOrUpdate(key, 1, (_, n) => n + 1);
            peak.AddOrUpdate(key, now, (_, p) => Math.Max(p, now));
            await Task.Delay(15, ct);
            running.AddOrUpdate(key, 0, (_, n) => n - 1);
            return JobOutcome.Completed;
        });
        var options = FastOptions(o =>
        {
            o.MaxWorkers = 8;
            o.MaxRunningPerFairnessKey = limit;
        });
        var a = await StartEngineAsync(handlers, options);
        await StartEngineAsync(handlers, FastOptions(o =>
        {
            o.MaxWorkers = 8;
            o.MaxRunningPerFairnessKey = limit;
        }), store: OpenSecondStore());

        // Alice floods the queue first; Bob's single job must still start long before her backlog is done.
        var alice = await a.InsertManyAsync(Enumerable.Range(0, 60).Select(_ => new NewJob("user-task", "{}") { FairnessKey = "alice" }));
        var bob = await a.InsertAsync(new NewJob("user-task", "{}") { FairnessKey = "bob" });
        var bobDone = await WaitForStateAsync(bob.Job.Id, JobState.Completed);
        var aliceDoneBeforeBob = 0;
        foreach (var job in alice)
        {
            var done = await WaitForStateAsync(job.Job.Id, JobState.Completed);
            if (done.FinalizedAt < bobDone.FinalizedAt)
            {
                aliceDoneBeforeBob++;
            }
        }

        Assert.InRange(peak["alice"], 1, limit);
        Assert.Equal(1, peak["bob"]);
        Assert.True(aliceDoneBeforeBob < 30, $"{aliceDoneBeforeBob} of Alice's 60 jobs finished before Bob's one");
    }

    [Fact]
    public async Task QueueLimit_BoundsRunningJobsOfThatQueue()
    {
        var current = 0;
        var peak = 0;
        var handlers = new JobHandlerRegistry().Add("upstream", async (_, ct) =>
        {
            InterlockedMax(ref peak, Interlocked.Increment(ref current));
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref current);
            return JobOutcome.Completed;
        });
        var engine = await StartEngineAsync(handlers, FastOptions(o =>
        {
            o.MaxWorkers = 10;
            o.Queues = new() { ["provider-x"] = new QueueOptions { MaxRunning = 2 } };
        }));

        var jobs = await engine.InsertManyAsync(Enumerable.Range(0, 20).Select(_ => new NewJob("upstream", "{}") { Queue = "provider-x" }));
        foreach (var job in jobs)
        {
            await WaitForStateAsync(job.Job.Id, JobState.Completed);
        }

        Assert.InRange(peak, 1, 2);
    }

    [Fact]
    public async Task Rescue_JobOfDeadNode_RunsAgainOnLiveEngineWithAttemptCounted()
    {
        // A "dead node" claims the job and never renews or finishes it.
        var id = (await Client().InsertAsync(new NewJob("work", "{}"))).Job.Id;
        Assert.Single(await ClaimAsync(1, now: DateTimeOffset.UtcNow, node: "dead-node", lease: TimeSpan.FromMilliseconds(300)));
        var attempts = new ConcurrentQueue<int>();
        var handlers = new JobHandlerRegistry().Add("work", (ctx, _) =>
        {
            attempts.Enqueue(ctx.Job.Attempt);
            return Task.FromResult(JobOutcome.Completed);
        });

        await StartEngineAsync(handlers);

        var job = await WaitForStateAsync(id, JobState.Completed);
        Assert.Equal([2], attempts);
        Assert.Equal(2, job.Attempt);
        Assert.Contains("dead-node", Assert.Single(job.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heartbeat_KeepsLeaseOfLongJobAlive()
    {
        var runs = 0;
        var handlers = new JobHandlerRegistry().Add("long", async (_, ct) =>
        {
            Interlocked.Increment(ref runs);
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            return JobOutcome.Completed;
        });
        // The job runs for one and a half leases; heartbeats must keep any rescuer (here a second engine) off it.
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.LeaseDuration = TimeSpan.FromSeconds(2)));
        await StartEngineAsync(handlers, FastOptions(o => o.LeaseDuration = TimeSpan.FromSeconds(2)), store: OpenSecondStore());

        var id = (await engine.InsertAsync(new NewJob("long", "{}"))).Job.Id;

        var job = await WaitForStateAsync(id, JobState.Completed, TimeSpan.FromSeconds(10));
        Assert.Equal(1, runs);
        Assert.Equal(1, job.Attempt);
    }

    [Fact]
    public async Task Shutdown_FinishesRunningHandlersWithinGracePeriod()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("short", async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(300, ct);
            return JobOutcome.Completed;
        });
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.ShutdownGracePeriod = TimeSpan.FromSeconds(5)));
        var id = (await engine.InsertAsync(new NewJob("short", "{}"))).Job.Id;
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await engine.StopAsync(CancellationToken.None);

        Assert.Equal(JobState.Completed, (await GetAsync(id)).State);
    }

    [Fact]
    public async Task Shutdown_HandlerPastGracePeriod_IsLeftToLeaseExpiryAndRescued()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = new ConcurrentQueue<int>();
        var handlers = new JobHandlerRegistry().Add("stubborn", async (ctx, ct) =>
        {
            attempts.Enqueue(ctx.Job.Attempt);
            started.TrySetResult();
            if (ctx.Job.Attempt == 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            return JobOutcome.Completed;
        });
        var first = await StartEngineAsync(handlers, FastOptions(o => o.ShutdownGracePeriod = TimeSpan.FromMilliseconds(200)));
        var id = (await first.InsertAsync(new NewJob("stubborn", "{}"))).Job.Id;
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await first.StopAsync(CancellationToken.None);
        Assert.Equal(JobState.Running, (await GetAsync(id)).State);

        await StartEngineAsync(handlers, store: OpenSecondStore());
        var job = await WaitForStateAsync(id, JobState.Completed);
        Assert.Equal([1, 2], attempts);
        Assert.Equal(2, job.Attempt);
    }

    [Fact]
    public async Task Stop_TwiceOrBeforeStart_IsHarmless()
    {
        var engine = Client();
        await engine.StopAsync(CancellationToken.None);
        await engine.StartAsync(CancellationToken.None);
        await engine.StartAsync(CancellationToken.None);
        await engine.StopAsync(CancellationToken.None);
        await engine.StopAsync(CancellationToken.None);
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task Cleaner_DeletesFinishedJobsAfterRetention()
    {
        var time = new FakeTimeProvider(T0);
        var handlers = new JobHandlerRegistry().Add("quick", (_, _) => Task.FromResult(JobOutcome.Completed));
        var options = FastOptions(o =>
        {
            o.FinishedJobRetention = TimeSpan.FromHours(1);
            o.CleanupInterval = TimeSpan.FromMinutes(1);
            o.LeaseDuration = TimeSpan.FromHours(2);
        });
        var engine = await StartEngineAsync(handlers, options, time);
        var id = (await engine.InsertAsync(new NewJob("quick", "{}"))).Job.Id;
        await WaitForStateAsync(id, JobState.Completed);

        time.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(200);
        Assert.NotNull(await Store.JobGetAsync(id, CancellationToken.None));

        for (var i = 0; i < 40 && await Store.JobGetAsync(id, CancellationToken.None) is not null; i++)
        {
            time.Advance(TimeSpan.FromMinutes(2));
            await Task.Delay(50);
        }

        Assert.Null(await Store.JobGetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Insert_InvalidJob_ThrowsAndInsertsNothing()
    {
        var engine = Client();

        var badJson = await Assert.ThrowsAsync<ArgumentException>(() =>
            engine.InsertManyAsync([new NewJob("ok", "{}"), new NewJob("bad", "{not json")]));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.InsertAsync(new NewJob(" ", "{}")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => engine.InsertAsync(new NewJob("k", "{}") { Priority = 10 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => engine.InsertAsync(new NewJob("k", "{}") { MaxAttempts = 0 }));

        Assert.Contains("not valid JSON", badJson.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.JobListAsync(new JobListQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Insert_Scheduled_RunsAtItsTime()
    {
        var ran = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("timed", (_, _) =>
        {
            ran.TrySetResult(DateTimeOffset.UtcNow);
            return Task.FromResult(JobOutcome.Completed);
        });
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.PollInterval = TimeSpan.FromSeconds(30)));
        var at = DateTimeOffset.UtcNow.AddMilliseconds(400);

        var inserted = await engine.InsertAsync(new NewJob("timed", "{}") { ScheduledAt = at });

        Assert.Equal(JobState.Scheduled, inserted.Job.State);
        var started = await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(started >= at.AddMilliseconds(-1), $"ran at {started:O}, scheduled for {at:O}");
    }

    [Fact]
    public async Task LeaseLost_WhileHandlerRuns_SignalsHandlerAndNeverOverwritesTheNewHolder()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("long", async (_, ct) =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                signalled.SetResult();
            }

            // A stubborn handler reports success anyway; the engine must not let it overwrite the new holder.
            return JobOutcome.Completed;
        });
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.LeaseDuration = TimeSpan.FromSeconds(30)));
        var id = (await engine.InsertAsync(new NewJob("long", "{}"))).Job.Id;
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // As after a long partition: another node's rescuer finds the lease expired and node-b claims the job.
        var later = DateTimeOffset.UtcNow.AddSeconds(31);
        Assert.Single(await Store.JobRescueExpiredAsync(later, 10, 10, CancellationToken.None));
        var rerun = Assert.Single(await ClaimAsync(1, now: later, node: "node-b", lease: TimeSpan.FromMinutes(5)));

        await signalled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => engine.ActiveHandlers == 0, "the first handler returned");
        await WaitUntilAsync(() => Logs.Entries.Any(e => e.Message.Contains("outcome not stored", StringComparison.Ordinal)), "the refusal was logged");
        var job = await GetAsync(id);
        Assert.Equal(JobState.Running, job.State);
        Assert.Equal("node-b", job.LeaseOwner);
        Assert.Equal(2, job.Attempt);
        Assert.True((await FinalizeAsync(rerun, JobState.Completed, now: later)).Applied);
    }

    [Fact]
    public async Task Insert_InCallerTransaction_RunsOnceCommitted()
    {
        var ran = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new JobHandlerRegistry().Add("after-commit", (ctx, _) =>
        {
            ran.TrySetResult(ctx.Job.Id);
            return Task.FromResult(JobOutcome.Completed);
        });
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.PollInterval = TimeSpan.FromSeconds(30)));
        await using var connection = await OpenAppConnectionAsync();

        long id;
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            id = (await engine.InsertAsync(new NewJob("after-commit", "{}"), transaction)).Job.Id;
            await Task.Delay(200);
            Assert.False(ran.Task.IsCompleted);
            await transaction.CommitAsync();
        }

        Assert.Equal(id, await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Insert_SameUniqueKeyTwiceInOneBatch_InsertsOnce()
    {
        var results = await Client().InsertManyAsync(
            [new NewJob("k", "{}") { UniqueKey = "once" }, new NewJob("k", "{}") { UniqueKey = "once" }]);

        Assert.False(results[0].Deduplicated);
        Assert.True(results[1].Deduplicated);
        Assert.Equal(results[0].Job.Id, results[1].Job.Id);
    }

    [Fact]
    public async Task Metrics_CountInsertsClaimsAndOutcomesOfThisNode()
    {
        var handlers = new JobHandlerRegistry()
            .Add("ok", (_, _) => Task.FromResult(JobOutcome.Completed))
            .Add("bad", (_, _) => Task.FromResult(JobOutcome.Discard("no")));
        var engine = await StartEngineAsync(handlers);
        var measured = new ConcurrentQueue<(string Instrument, long Value, string? Outcome)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "GridQueue.Engine"
                && instrument.Meter.Tags?.Any(t => t.Key == "gridqueue.node" && Equals(t.Value, engine.NodeId)) == true)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "gridqueue.outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            measured.Enqueue((instrument.Name, value, outcome));
        });
        listener.Start();

        var jobs = await engine.InsertManyAsync([new NewJob("ok", "{}"), new NewJob("ok", "{}"), new NewJob("bad", "{}")]);
        foreach (var job in jobs)
        {
            await WaitUntilAsync(() => Store.JobGetAsync(job.Job.Id, CancellationToken.None).Result!.State.IsFinished(), $"job {job.Job.Id} finished");
        }

        long Sum(string name, string? outcome = null) =>
            measured.Where(m => m.Instrument == name && (outcome is null || m.Outcome == outcome)).Sum(m => m.Value);
        Assert.Equal(3, Sum("gridqueue.jobs.inserted"));
        Assert.Equal(3, Sum("gridqueue.jobs.claimed"));
        Assert.Equal(2, Sum("gridqueue.jobs.finished", "completed"));
        Assert.Equal(1, Sum("gridqueue.jobs.finished", "discarded"));
    }

    [Fact]
    public async Task Snooze_ReclaimedBeforeOutcomeBookkeepingEnds_NewRunKeepsItsLease()
    {
        // The completer stores a snooze(0); the producer claims the job again before the completer has finished
        // its bookkeeping for the batch. The second run must stay tracked: renewed, never rescued, never doubled.
        var current = 0;
        var peak = 0;
        var runs = 0;
        var handlers = new JobHandlerRegistry().Add("poll", async (ctx, ct) =>
        {
            InterlockedMax(ref peak, Interlocked.Increment(ref current));
            try
            {
                if (Interlocked.Increment(ref runs) == 1)
                {
                    return JobOutcome.Snooze(TimeSpan.Zero);
                }

                await Task.Delay(TimeSpan.FromSeconds(3), ct);
                return JobOutcome.Completed;
            }
            finally
            {
                Interlocked.Decrement(ref current);
            }
        });
        var slowBookkeeping = new SlowAfterFinalizeStore(Store, TimeSpan.FromMilliseconds(300));
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.LeaseDuration = TimeSpan.FromSeconds(1.5)), store: slowBookkeeping);

        var id = (await engine.InsertAsync(new NewJob("poll", "{}"))).Job.Id;

        var job = await WaitForStateAsync(id, JobState.Completed, TimeSpan.FromSeconds(15));
        Assert.Equal(2, runs);
        Assert.Equal(1, peak);
        Assert.Equal(1, job.Attempt);
        Assert.Empty(job.Errors);
    }

    [Fact]
    public async Task Poll_FindsJobsFromElsewhereWhileMostOfThePoolIsBusy()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = 0;
        var handlers = new JobHandlerRegistry()
            .Add("hold", async (_, ct) =>
            {
                Interlocked.Increment(ref busy);
                await release.Task.WaitAsync(ct);
                return JobOutcome.Completed;
            })
            .Add("quick", (_, _) => Task.FromResult(JobOutcome.Completed));
        var engine = await StartEngineAsync(handlers, FastOptions(o => o.MaxWorkers = 8));
        await engine.InsertManyAsync(Enumerable.Range(0, 7).Select(_ => new NewJob("hold", "{}")));
        await WaitUntilAsync(() => Volatile.Read(ref busy) == 7, "seven of eight workers are busy");

        // Inserted by another node: no wake-up reaches this engine, only its poll can find the job.
        var id = (await Client().InsertAsync(new NewJob("quick", "{}"))).Job.Id;

        await WaitForStateAsync(id, JobState.Completed, TimeSpan.FromSeconds(5));
        release.SetResult();
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

    /// <summary>Holds each outcome batch's bookkeeping open a while after the database took it.</summary>
    private sealed class SlowAfterFinalizeStore(IJobStore inner, TimeSpan pause) : DelegatingJobStore(inner)
    {
        public override async Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(
            IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken)
        {
            var results = await base.JobFinalizeManyAsync(finalizations, cancellationToken);
            await Task.Delay(pause, cancellationToken);
            return results;
        }
    }
}
