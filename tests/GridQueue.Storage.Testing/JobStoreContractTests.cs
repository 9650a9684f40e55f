using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using Xunit;

namespace GridQueue.Storage.Testing;

/// <summary>
/// The storage contract, called directly with explicit times: every backend derives from this class once.
/// Engine-level behaviour on a real store is in <see cref="EngineContractTests"/>.
/// </summary>
public abstract partial class JobStoreContractTests(ITestDatabase database) : StoreTestBase(database)
{
    [Fact]
    public async Task Migrate_RunTwice_IsIdempotentAndReady()
    {
        await Store.MigrateAsync(CancellationToken.None);
        await OpenSecondStore().MigrateAsync(CancellationToken.None);
        Assert.True(await Store.IsReadyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Insert_NewJob_StoresEveryField()
    {
        var inserted = await InsertAsync(Row(kind: "mail", queue: "default", priority: 3, maxAttempts: 7,
            uniqueKey: "u1", fairnessKey: "alice", args: """{"to":"a@b.c"}"""));

        var job = await GetAsync(inserted.Id);
        Assert.Equal(inserted, job with { Errors = inserted.Errors });
        Assert.Equal("mail", job.Kind);
        Assert.Equal(3, job.Priority);
        Assert.Equal(7, job.MaxAttempts);
        Assert.Equal(0, job.Attempt);
        Assert.Equal(JobState.Available, job.State);
        Assert.Equal("u1", job.UniqueKey);
        Assert.Equal("alice", job.FairnessKey);
        Assert.Equal(T0, job.ScheduledAt);
        Assert.Equal(T0, job.CreatedAt);
        Assert.Contains("a@b.c", job.Args, StringComparison.Ordinal);
        Assert.Empty(job.Errors);
    }

    [Fact]
    public async Task Insert_ManyInOneCall_KeepsOrderAndIds()
    {
        var results = await Store.JobInsertManyAsync([Row(kind: "a"), Row(kind: "b"), Row(kind: "c")], null, CancellationToken.None);

        Assert.Equal(["a", "b", "c"], results.Select(r => r.Job.Kind));
        Assert.All(results, r => Assert.False(r.Deduplicated));
        Assert.True(results[0].Job.Id < results[1].Job.Id && results[1].Job.Id < results[2].Job.Id);
    }

    [Fact]
    public async Task Insert_DuplicateUniqueKeyWhileUnfinished_ReturnsExistingJob()
    {
        var first = await InsertAsync(Row(uniqueKey: "video-42"));

        var results = await Store.JobInsertManyAsync([Row(uniqueKey: "video-42", kind: "other"), Row(uniqueKey: "video-43")], null, CancellationToken.None);

        Assert.True(results[0].Deduplicated);
        Assert.Equal(first.Id, results[0].Job.Id);
        Assert.Equal("test", results[0].Job.Kind);
        Assert.False(results[1].Deduplicated);
        Assert.Equal(2, (await Store.JobListAsync(new JobListQuery(), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Insert_DuplicateUniqueKeyWhileRunning_ReturnsRunningJob()
    {
        var first = await InsertAsync(Row(uniqueKey: "k"));
        await ClaimAsync(1);

        var again = (await Store.JobInsertManyAsync([Row(uniqueKey: "k")], null, CancellationToken.None))[0];

        Assert.True(again.Deduplicated);
        Assert.Equal(first.Id, again.Job.Id);
        Assert.Equal(JobState.Running, again.Job.State);
    }

    [Fact]
    public async Task Insert_UniqueKeyOfFinishedJob_InsertsNewJob()
    {
        var first = await InsertAsync(Row(uniqueKey: "k"));
        var claimed = (await ClaimAsync(1)).Single();
        await FinalizeAsync(claimed, JobState.Completed);

        var again = (await Store.JobInsertManyAsync([Row(uniqueKey: "k")], null, CancellationToken.None))[0];

        Assert.False(again.Deduplicated);
        Assert.NotEqual(first.Id, again.Job.Id);
    }

    [Fact]
    public async Task Insert_InCallerTransactionRolledBack_LeavesNeitherRowNorJob()
    {
        await using var connection = await OpenAppConnectionAsync();
        await ExecuteAsync(connection, null, "CREATE TABLE app_orders (id BIGINT PRIMARY KEY, name TEXT NOT NULL)");

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO app_orders (id, name) VALUES (1, 'kite')");
            var result = await Store.JobInsertManyAsync([Row(kind: "ship-order")], transaction, CancellationToken.None);
            Assert.False(result[0].Deduplicated);
            await transaction.RollbackAsync();
        }

        Assert.Equal(0L, await CountAsync(connection, "SELECT COUNT(*) FROM app_orders"));
        Assert.Empty(await Store.JobListAsync(new JobListQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Insert_InCallerTransactionCommitted_StoresRowAndJobTogether()
    {
        await using var connection = await OpenAppConnectionAsync();
        await ExecuteAsync(connection, null, "CREATE TABLE app_orders (id BIGINT PRIMARY KEY, name TEXT NOT NULL)");

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO app_orders (id, name) VALUES (1, 'kite')");
            await Store.JobInsertManyAsync([Row(kind: "ship-order")], transaction, CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(1L, await CountAsync(connection, "SELECT COUNT(*) FROM app_orders"));
        Assert.Equal("ship-order", Assert.Single(await Store.JobListAsync(new JobListQuery(), CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Claim_OrdersByPriorityThenScheduledTimeThenId()
    {
        var late = await InsertAsync(Row(kind: "p5-late", priority: 5, scheduledAt: T0.AddSeconds(-1)));
        var early = await InsertAsync(Row(kind: "p5-early", priority: 5, scheduledAt: T0.AddSeconds(-10)));
        var urgent = await InsertAsync(Row(kind: "p1", priority: 1, scheduledAt: T0));
        var tieA = await InsertAsync(Row(kind: "tie-a", priority: 7, scheduledAt: T0.AddSeconds(-5)));
        var tieB = await InsertAsync(Row(kind: "tie-b", priority: 7, scheduledAt: T0.AddSeconds(-5)));

        var first = await ClaimAsync(3);
        var rest = await ClaimAsync(10);

        Assert.Equal([urgent.Id, early.Id, late.Id], first.Select(j => j.Id));
        Assert.Equal([tieA.Id, tieB.Id], rest.Select(j => j.Id));
    }

    [Fact]
    public async Task Claim_SetsLeaseAndCountsAttempt()
    {
        await InsertAsync(Row());

        var job = Assert.Single(await ClaimAsync(5, node: "node-x", lease: TimeSpan.FromSeconds(42)));

        Assert.Equal(JobState.Running, job.State);
        Assert.Equal(1, job.Attempt);
        Assert.Equal("node-x", job.LeaseOwner);
        Assert.Equal(T0.AddSeconds(42), job.LeaseExpiresAt);
        Assert.Equal(T0, job.AttemptedAt);
        Assert.Empty(await ClaimAsync(5));
    }

    [Fact]
    public async Task Claim_NeverMoreThanLimitAndNeverFutureJobs()
    {
        for (var i = 0; i < 5; i++)
        {
            await InsertAsync(Row());
        }

        await InsertAsync(Row(kind: "future", scheduledAt: T0.AddMinutes(1)));

        Assert.Equal(2, (await ClaimAsync(2)).Count);
        Assert.Equal(3, (await ClaimAsync(10)).Count);
        Assert.Empty(await ClaimAsync(10));
        Assert.Equal("future", Assert.Single(await ClaimAsync(10, now: T0.AddMinutes(1))).Kind);
    }

    [Fact]
    public async Task Claim_OnlyFromRequestedQueues()
    {
        await InsertAsync(Row(queue: "video"));
        await InsertAsync(Row(queue: "mail"));

        var claimed = await ClaimAsync(10, queues: [new QueueLimit("video", null)]);

        Assert.Equal("video", Assert.Single(claimed).Queue);
    }

    [Fact]
    public async Task Claim_QueueLimit_CountsRunningJobsOfAllNodes()
    {
        for (var i = 0; i < 5; i++)
        {
            await InsertAsync(Row(queue: "video"));
        }

        var limit = new[] { new QueueLimit("video", 3) };
        Assert.Equal(2, (await ClaimAsync(2, node: "a", queues: limit)).Count);
        Assert.Single(await ClaimAsync(10, node: "b", queues: limit));
        Assert.Empty(await ClaimAsync(10, node: "c", queues: limit));
    }

    [Fact]
    public async Task Claim_FairnessKeyLimit_OneUsersBacklogDoesNotStarveAnother()
    {
        for (var i = 0; i < 1000; i++)
        {
            await InsertAsync(Row(fairnessKey: "alice", scheduledAt: T0.AddSeconds(-100)));
        }

        var bob = await InsertAsync(Row(fairnessKey: "bob"));

        // Alice's backlog fills the first claim's scan window, but it takes only her two; from then on her key is
        // excluded before the scan, so Bob's job is claimed at the latest by the next claim.
        var first = await ClaimAsync(10, keyLimit: 2);
        var second = await ClaimAsync(10, keyLimit: 2);
        var claimed = first.Concat(second).ToList();

        Assert.Equal(2, claimed.Count(j => j.FairnessKey == "alice"));
        Assert.Contains(claimed, j => j.Id == bob.Id);
        Assert.Equal(3, claimed.Count);
        Assert.Empty(await ClaimAsync(10, node: "other", keyLimit: 2));
    }

    [Fact]
    public async Task Claim_FairnessKeyLimit_FreedByFinishedJob()
    {
        for (var i = 0; i < 3; i++)
        {
            await InsertAsync(Row(fairnessKey: "alice"));
        }

        var first = await ClaimAsync(10, keyLimit: 1);
        Assert.Single(first);
        Assert.Empty(await ClaimAsync(10, keyLimit: 1));

        await FinalizeAsync(first[0], JobState.Completed);

        Assert.Single(await ClaimAsync(10, keyLimit: 1));
    }

    [Fact]
    public async Task Claim_ConcurrentClaimersOnTwoStores_NeverExceedFairnessLimitOrClaimTwice()
    {
        const int keyLimit = 2;
        for (var i = 0; i < 200; i++)
        {
            await InsertAsync(Row(fairnessKey: $"user-{i % 4}"));
        }

        var second = OpenSecondStore();
        var claimedIds = new System.Collections.Concurrent.ConcurrentDictionary<long, string>();
        var overLimit = 0;
        async Task Worker(IJobStore store, string node)
        {
            for (var round = 0; round < 200 && claimedIds.Count < 200; round++)
            {
                var jobs = await ClaimAsync(3, node: node, keyLimit: keyLimit, store: store);
                foreach (var job in jobs)
                {
                    Assert.True(claimedIds.TryAdd(job.Id, node), $"job {job.Id} was claimed twice");
                }

                var running = await Store.JobListAsync(new JobListQuery(State: JobState.Running, Limit: 10_000), CancellationToken.None);
                if (running.GroupBy(j => j.FairnessKey).Any(g => g.Count() > keyLimit))
                {
                    Interlocked.Increment(ref overLimit);
                }

                await store.JobFinalizeManyAsync(
                    [.. jobs.Select(j => new JobFinalization(j.Id, node, j.Claims, JobState.Completed, T0, null, null, false))],
                    CancellationToken.None);
            }
        }

        await Task.WhenAll(
            Task.Run(() => Worker(Store, "node-1")), Task.Run(() => Worker(Store, "node-2")),
            Task.Run(() => Worker(second, "node-3")), Task.Run(() => Worker(second, "node-4")));

        Assert.Equal(200, claimedIds.Count);
        Assert.Equal(0, overLimit);
    }

    [Fact]
    public async Task Finalize_Completed_EndsJobAndClearsLease()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1)).Single();

        var result = await FinalizeAsync(claimed, JobState.Completed, now: T0.AddSeconds(3));

        Assert.True(result.Applied);
        var job = await GetAsync(claimed.Id);
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(T0.AddSeconds(3), job.FinalizedAt);
        Assert.Null(job.LeaseOwner);
        Assert.Null(job.LeaseExpiresAt);
    }

    [Fact]
    public async Task Finalize_Failed_BecomesRetryableAtGivenTimeWithErrors()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1)).Single();
        var errors = new[] { new JobError(1, T0, "upstream 503") };

        await FinalizeAsync(claimed, JobState.Retryable, scheduledAt: T0.AddSeconds(2), errors: errors);

        var job = await GetAsync(claimed.Id);
        Assert.Equal(JobState.Retryable, job.State);
        Assert.Equal(T0.AddSeconds(2), job.ScheduledAt);
        Assert.Equal(1, job.Attempt);
        Assert.Equal("upstream 503", Assert.Single(job.Errors).Message);
        Assert.Null(job.FinalizedAt);
        Assert.Empty(await ClaimAsync(5, now: T0.AddSeconds(1)));
        Assert.Equal(2, Assert.Single(await ClaimAsync(5, now: T0.AddSeconds(2))).Attempt);
    }

    [Fact]
    public async Task Finalize_Snooze_GivesBackTheAttempt()
    {
        await InsertAsync(Row(maxAttempts: 1));
        for (var i = 0; i < 5; i++)
        {
            var now = T0.AddSeconds(i * 10);
            var claimed = Assert.Single(await ClaimAsync(1, now: now));
            Assert.Equal(1, claimed.Attempt);
            await FinalizeAsync(claimed, JobState.Scheduled, now: now, scheduledAt: now.AddSeconds(10), giveBack: true);
            var snoozed = await GetAsync(claimed.Id);
            Assert.Equal(JobState.Scheduled, snoozed.State);
            Assert.Equal(0, snoozed.Attempt);
        }
    }

    [Fact]
    public async Task Finalize_AfterLeaseLostToRescue_IsRefused()
    {
        await InsertAsync(Row());
        var original = (await ClaimAsync(1, node: "dead-node", lease: TimeSpan.FromSeconds(5))).Single();

        var rescued = await Store.JobRescueExpiredAsync(T0.AddSeconds(6), 100, 10, CancellationToken.None);
        Assert.Equal(original.Id, Assert.Single(rescued).Id);
        var rerun = (await ClaimAsync(1, now: T0.AddSeconds(6), node: "live-node")).Single();
        Assert.Equal(2, rerun.Attempt);

        var late = await FinalizeAsync(original, JobState.Completed, now: T0.AddSeconds(7));

        Assert.False(late.Applied);
        Assert.Equal(JobState.Running, late.State);
        var job = await GetAsync(original.Id);
        Assert.Equal(JobState.Running, job.State);
        Assert.Equal("live-node", job.LeaseOwner);
        Assert.True((await FinalizeAsync(rerun, JobState.Completed, now: T0.AddSeconds(8))).Applied);
    }

    [Fact]
    public async Task Finalize_StaleRunAfterRequeueOnSameNode_IsRefused()
    {
        await InsertAsync(Row(maxAttempts: 1));
        var first = (await ClaimAsync(1, node: "node-a", lease: TimeSpan.FromSeconds(1))).Single();
        Assert.Equal(JobState.Discarded, Assert.Single(await Store.JobRescueExpiredAsync(T0.AddSeconds(2), 10, 10, CancellationToken.None)).State);
        await Store.JobRequeueAsync(first.Id, T0.AddSeconds(3), CancellationToken.None);
        var second = (await ClaimAsync(1, now: T0.AddSeconds(3), node: "node-a")).Single();
        Assert.Equal(first.Attempt, second.Attempt);

        var stale = await FinalizeAsync(first, JobState.Completed, now: T0.AddSeconds(4));

        Assert.False(stale.Applied);
        Assert.Equal(JobState.Running, (await GetAsync(first.Id)).State);
        Assert.True((await FinalizeAsync(second, JobState.Completed, now: T0.AddSeconds(5))).Applied);
    }

    [Fact]
    public async Task Finalize_StaleRunAfterSnoozeAndReclaim_IsRefused()
    {
        await InsertAsync(Row());
        var first = (await ClaimAsync(1)).Single();
        await FinalizeAsync(first, JobState.Scheduled, scheduledAt: T0, giveBack: true);
        var second = (await ClaimAsync(1)).Single();
        Assert.Equal(first.Attempt, second.Attempt);

        var stale = await FinalizeAsync(first, JobState.Completed);

        Assert.False(stale.Applied);
        Assert.True((await FinalizeAsync(second, JobState.Completed)).Applied);
    }

    [Fact]
    public async Task Finalize_ByAnotherNode_IsRefused()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1, node: "node-a")).Single();

        var result = await FinalizeAsync(claimed, JobState.Completed, node: "node-b");

        Assert.False(result.Applied);
        Assert.Equal(JobState.Running, (await GetAsync(claimed.Id)).State);
    }

    [Fact]
    public async Task Finalize_ManyInOneCall_ReportsEachResult()
    {
        for (var i = 0; i < 3; i++)
        {
            await InsertAsync(Row());
        }

        var claimed = await ClaimAsync(3);
        var results = await Store.JobFinalizeManyAsync(
        [
            new JobFinalization(claimed[0].Id, "node-a", 1, JobState.Completed, T0, null, null, false),
            new JobFinalization(claimed[1].Id, "node-a", 99, JobState.Completed, T0, null, null, false),
            new JobFinalization(claimed[2].Id, "node-a", 1, JobState.Discarded, T0, null, [new JobError(1, T0, "bad input")], false),
        ], CancellationToken.None);

        Assert.Equal([true, false, true], results.Select(r => r.Applied));
        Assert.Equal([JobState.Completed, JobState.Running, JobState.Discarded], results.Select(r => r.State));
    }

    [Fact]
    public async Task Cancel_WaitingJob_IsCancelledAtOnce()
    {
        var job = await InsertAsync(Row(scheduledAt: T0.AddMinutes(5)));

        var cancelled = await Store.JobCancelAsync(job.Id, T0.AddSeconds(1), CancellationToken.None);

        Assert.Equal(JobState.Cancelled, cancelled!.State);
        Assert.Equal(T0.AddSeconds(1), cancelled.FinalizedAt);
        Assert.Empty(await ClaimAsync(10, now: T0.AddHours(1)));
    }

    [Fact]
    public async Task Cancel_RunningJob_RequestsCancelAndFailureEndsCancelled()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1)).Single();

        var requested = await Store.JobCancelAsync(claimed.Id, T0.AddSeconds(1), CancellationToken.None);
        Assert.Equal(JobState.Running, requested!.State);
        Assert.Equal(T0.AddSeconds(1), requested.CancelRequestedAt);
        var status = Assert.Single(await Store.JobGetLeaseStatusAsync("node-a", [new JobLease(claimed.Id, 1)], CancellationToken.None));
        Assert.True(status.Held);
        Assert.True(status.CancelRequested);

        var result = await FinalizeAsync(claimed, JobState.Retryable, scheduledAt: T0.AddSeconds(5), errors: [new JobError(1, T0, "stopped")]);

        Assert.Equal(JobState.Cancelled, result.State);
        Assert.Equal(JobState.Cancelled, (await GetAsync(claimed.Id)).State);
    }

    [Fact]
    public async Task Cancel_RunningJobThatCompletesAnyway_StaysCompleted()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1)).Single();
        await Store.JobCancelAsync(claimed.Id, T0, CancellationToken.None);

        var result = await FinalizeAsync(claimed, JobState.Completed);

        Assert.Equal(JobState.Completed, result.State);
    }

    [Fact]
    public async Task Cancel_FinishedOrMissingJob_ChangesNothing()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1)).Single();
        await FinalizeAsync(claimed, JobState.Completed);

        Assert.Equal(JobState.Completed, (await Store.JobCancelAsync(claimed.Id, T0, CancellationToken.None))!.State);
        Assert.Null(await Store.JobCancelAsync(claimed.Id + 1000, T0, CancellationToken.None));
    }

    [Fact]
    public async Task Rescue_ExpiredLease_MakesJobRetryableWithAttemptCountedAndError()
    {
        await InsertAsync(Row(maxAttempts: 3));
        var claimed = (await ClaimAsync(1, node: "dead", lease: TimeSpan.FromSeconds(10))).Single();

        Assert.Empty(await Store.JobRescueExpiredAsync(T0.AddSeconds(9), 100, 10, CancellationToken.None));
        var rescued = Assert.Single(await Store.JobRescueExpiredAsync(T0.AddSeconds(11), 100, 10, CancellationToken.None));

        Assert.Equal(JobState.Retryable, rescued.State);
        Assert.Equal(1, rescued.Attempt);
        Assert.Null(rescued.LeaseOwner);
        Assert.Contains("lease expired on node dead", Assert.Single(rescued.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(2, Assert.Single(await ClaimAsync(1, now: T0.AddSeconds(11))).Attempt);
        Assert.Equal(claimed.Id, rescued.Id);
    }

    [Fact]
    public async Task Rescue_LastAttempt_Discards()
    {
        await InsertAsync(Row(maxAttempts: 1));
        await ClaimAsync(1, lease: TimeSpan.FromSeconds(1));

        var rescued = Assert.Single(await Store.JobRescueExpiredAsync(T0.AddSeconds(2), 100, 10, CancellationToken.None));

        Assert.Equal(JobState.Discarded, rescued.State);
        Assert.Equal(T0.AddSeconds(2), rescued.FinalizedAt);
    }

    [Fact]
    public async Task Rescue_CancelRequested_EndsCancelled()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1, lease: TimeSpan.FromSeconds(1))).Single();
        await Store.JobCancelAsync(claimed.Id, T0, CancellationToken.None);

        var rescued = Assert.Single(await Store.JobRescueExpiredAsync(T0.AddSeconds(2), 100, 10, CancellationToken.None));

        Assert.Equal(JobState.Cancelled, rescued.State);
    }

    [Fact]
    public async Task Rescue_KeepsOnlyTheMostRecentErrors()
    {
        await InsertAsync(Row(maxAttempts: 10));
        for (var i = 1; i <= 4; i++)
        {
            var now = T0.AddMinutes(i);
            await ClaimAsync(1, now: now, lease: TimeSpan.FromSeconds(1));
            await Store.JobRescueExpiredAsync(now.AddSeconds(2), 100, 2, CancellationToken.None);
        }

        var job = (await Store.JobListAsync(new JobListQuery(), CancellationToken.None)).Single();
        Assert.Equal([3, 4], job.Errors.Select(e => e.Attempt));
    }

    [Fact]
    public async Task RenewLeases_ExtendsHeldLeasesAndReportsLostOnes()
    {
        await InsertAsync(Row());
        await InsertAsync(Row());
        var claimed = await ClaimAsync(2, lease: TimeSpan.FromSeconds(10));

        var statuses = await Store.JobRenewLeasesAsync(
            "node-a", [new JobLease(claimed[0].Id, 1), new JobLease(claimed[1].Id, 2)], T0.AddSeconds(40), CancellationToken.None);

        Assert.Equal([true, false], statuses.Select(s => s.Held));
        Assert.Equal(T0.AddSeconds(40), (await GetAsync(claimed[0].Id)).LeaseExpiresAt);
        Assert.Equal(T0.AddSeconds(10), (await GetAsync(claimed[1].Id)).LeaseExpiresAt);
        var rescued = await Store.JobRescueExpiredAsync(T0.AddSeconds(20), 100, 10, CancellationToken.None);
        Assert.Equal(claimed[1].Id, Assert.Single(rescued).Id);
    }

    [Fact]
    public async Task Requeue_DiscardedJob_RunsAgainWithFreshAttemptsAndKeepsErrors()
    {
        await InsertAsync(Row(maxAttempts: 1));
        var claimed = (await ClaimAsync(1)).Single();
        await FinalizeAsync(claimed, JobState.Discarded, errors: [new JobError(1, T0, "bad key")]);

        var requeued = await Store.JobRequeueAsync(claimed.Id, T0.AddMinutes(1), CancellationToken.None);

        Assert.Equal(JobState.Available, requeued!.State);
        Assert.Equal(0, requeued.Attempt);
        Assert.Null(requeued.FinalizedAt);
        Assert.Equal("bad key", Assert.Single(requeued.Errors).Message);
        Assert.Equal(1, Assert.Single(await ClaimAsync(1, now: T0.AddMinutes(1))).Attempt);
    }

    [Fact]
    public async Task Requeue_CompletedOrMissingJob_ChangesNothing()
    {
        await InsertAsync(Row());
        var claimed = (await ClaimAsync(1)).Single();
        await FinalizeAsync(claimed, JobState.Completed);

        Assert.Equal(JobState.Completed, (await Store.JobRequeueAsync(claimed.Id, T0, CancellationToken.None))!.State);
        Assert.Null(await Store.JobRequeueAsync(claimed.Id + 1000, T0, CancellationToken.None));
    }

    [Fact]
    public async Task Requeue_WhenUniqueKeyTakenAgain_ThrowsConflict()
    {
        await InsertAsync(Row(uniqueKey: "k", maxAttempts: 1));
        var claimed = (await ClaimAsync(1)).Single();
        await FinalizeAsync(claimed, JobState.Discarded, errors: [new JobError(1, T0, "x")]);
        await InsertAsync(Row(uniqueKey: "k"));

        var ex = await Assert.ThrowsAsync<JobUniqueKeyConflictException>(
            () => Store.JobRequeueAsync(claimed.Id, T0, CancellationToken.None));

        Assert.Equal("k", ex.UniqueKey);
        Assert.Equal(JobState.Discarded, (await GetAsync(claimed.Id)).State);
    }

    [Fact]
    public async Task DeleteFinished_RemovesOnlyJobsPastTheirRetention()
    {
        var done = await InsertAsync(Row(kind: "done"));
        var dead = await InsertAsync(Row(kind: "dead"));
        var waiting = await InsertAsync(Row(kind: "waiting", scheduledAt: T0.AddDays(30)));
        var claimed = await ClaimAsync(2);
        await FinalizeAsync(claimed.Single(j => j.Id == done.Id), JobState.Completed, now: T0);
        await FinalizeAsync(claimed.Single(j => j.Id == dead.Id), JobState.Discarded, now: T0, errors: [new JobError(1, T0, "x")]);

        Assert.Equal(0, await Store.JobDeleteFinishedAsync(T0, T0, 100, CancellationToken.None));
        Assert.Equal(1, await Store.JobDeleteFinishedAsync(T0.AddMilliseconds(1), T0, 100, CancellationToken.None));
        Assert.Null(await Store.JobGetAsync(done.Id, CancellationToken.None));
        Assert.NotNull(await Store.JobGetAsync(dead.Id, CancellationToken.None));
        Assert.Equal(1, await Store.JobDeleteFinishedAsync(T0.AddDays(60), T0.AddDays(60), 100, CancellationToken.None));
        Assert.NotNull(await Store.JobGetAsync(waiting.Id, CancellationToken.None));
    }

    [Fact]
    public async Task NextScheduledAt_IsEarliestWaitingJobOfTheQueues()
    {
        Assert.Null(await Store.JobNextScheduledAtAsync(["default"], CancellationToken.None));
        await InsertAsync(Row(scheduledAt: T0.AddMinutes(9)));
        await InsertAsync(Row(scheduledAt: T0.AddMinutes(3)));
        await InsertAsync(Row(queue: "other", scheduledAt: T0.AddMinutes(1)));

        Assert.Equal(T0.AddMinutes(3), await Store.JobNextScheduledAtAsync(["default"], CancellationToken.None));
        Assert.Equal(T0.AddMinutes(1), await Store.JobNextScheduledAtAsync(["default", "other"], CancellationToken.None));
    }

    [Fact]
    public async Task List_FiltersByStateAndKindAndPagesById()
    {
        for (var i = 0; i < 5; i++)
        {
            await InsertAsync(Row(kind: i % 2 == 0 ? "even" : "odd"));
        }

        var even = await Store.JobListAsync(new JobListQuery(Kind: "even"), CancellationToken.None);
        var page = await Store.JobListAsync(new JobListQuery(AfterId: even[0].Id, Limit: 2), CancellationToken.None);

        Assert.Equal(3, even.Count);
        Assert.Equal(2, page.Count);
        Assert.All(page, j => Assert.True(j.Id > even[0].Id));
        Assert.Empty(await Store.JobListAsync(new JobListQuery(State: JobState.Running), CancellationToken.None));
    }

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
