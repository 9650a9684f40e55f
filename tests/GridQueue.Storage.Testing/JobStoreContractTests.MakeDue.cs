using GridQueue.Engine.Jobs;
using Xunit;

namespace GridQueue.Storage.Testing;

/// <summary>Making a waiting job due now: only the scheduled time of that one job moves, and only forward to now.</summary>
public abstract partial class JobStoreContractTests
{
    [Fact]
    public async Task MakeDue_ScheduledJob_IsClaimableNowWithStateAndAttemptKept()
    {
        var job = await InsertAsync(Row(scheduledAt: T0.AddMinutes(10)));
        Assert.Empty(await ClaimAsync(1, now: T0.AddSeconds(1)));

        var due = await Store.JobMakeDueAsync(job.Id, T0.AddSeconds(1), CancellationToken.None);

        Assert.NotNull(due);
        Assert.Equal(JobState.Scheduled, due.State);
        Assert.Equal(T0.AddSeconds(1), due.ScheduledAt);
        Assert.Equal(0, due.Attempt);
        var claimed = Assert.Single(await ClaimAsync(1, now: T0.AddSeconds(1)));
        Assert.Equal(job.Id, claimed.Id);
        Assert.Equal(1, claimed.Attempt);
    }

    [Fact]
    public async Task MakeDue_SnoozedAndRetryableJobs_BecomeDue()
    {
        await InsertAsync(Row(kind: "snoozed"));
        await InsertAsync(Row(kind: "failed"));
        var claimed = await ClaimAsync(2);
        var snoozed = claimed.Single(j => j.Kind == "snoozed");
        var failed = claimed.Single(j => j.Kind == "failed");
        await FinalizeAsync(snoozed, JobState.Scheduled, scheduledAt: T0.AddMinutes(5), giveBack: true);
        await FinalizeAsync(failed, JobState.Retryable, scheduledAt: T0.AddMinutes(5), errors: [new JobError(1, T0, "x")]);

        await Store.JobMakeDueAsync(snoozed.Id, T0.AddSeconds(2), CancellationToken.None);
        await Store.JobMakeDueAsync(failed.Id, T0.AddSeconds(2), CancellationToken.None);

        var again = await ClaimAsync(5, now: T0.AddSeconds(2));
        Assert.Equal(new[] { snoozed.Id, failed.Id }.Order(), again.Select(j => j.Id).Order());
        Assert.Equal(1, again.Single(j => j.Id == snoozed.Id).Attempt); // the snooze gave its attempt back
        Assert.Equal(2, again.Single(j => j.Id == failed.Id).Attempt);
    }

    [Fact]
    public async Task MakeDue_OnlyThatJobMoves()
    {
        var woken = await InsertAsync(Row(scheduledAt: T0.AddMinutes(10)));
        var other = await InsertAsync(Row(scheduledAt: T0.AddMinutes(10)));

        await Store.JobMakeDueAsync(woken.Id, T0, CancellationToken.None);

        Assert.Equal(T0.AddMinutes(10), (await GetAsync(other.Id)).ScheduledAt);
        Assert.Equal(woken.Id, Assert.Single(await ClaimAsync(5, now: T0)).Id);
    }

    [Fact]
    public async Task MakeDue_RunningFinishedDueOrMissingJob_ChangesNothing()
    {
        var running = await InsertAsync(Row(kind: "running"));
        var done = await InsertAsync(Row(kind: "done"));
        var claimed = await ClaimAsync(2);
        await FinalizeAsync(claimed.Single(j => j.Id == done.Id), JobState.Completed);
        var due = await InsertAsync(Row(kind: "due", scheduledAt: T0.AddSeconds(1), now: T0));
        var before = new[] { await GetAsync(running.Id), await GetAsync(done.Id), await GetAsync(due.Id) };

        foreach (var job in before)
        {
            Assert.Equivalent(job, await Store.JobMakeDueAsync(job.Id, T0.AddSeconds(5), CancellationToken.None), strict: true);
            Assert.Equivalent(job, await GetAsync(job.Id), strict: true);
        }

        Assert.Null(await Store.JobMakeDueAsync(due.Id + 1000, T0, CancellationToken.None));
    }
}
