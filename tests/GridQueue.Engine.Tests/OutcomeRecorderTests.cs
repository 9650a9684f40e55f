using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using Xunit;

namespace GridQueue.Engine.Tests;

public sealed class OutcomeRecorderTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly JobEngineOptions _options = new() { RetryBaseDelay = TimeSpan.FromSeconds(2), RetryMaxDelay = TimeSpan.FromSeconds(60), MaxErrorsKept = 3 };

    private OutcomeRecorder Recorder => new(_options, new RetryPolicy(_options));

    private static Job Running(int attempt, int maxAttempts = 5, int errors = 0) => new()
    {
        Id = 7, Kind = "k", Queue = "default", Args = "{}", Priority = 5, State = JobState.Running,
        Attempt = attempt, Claims = attempt + 3, MaxAttempts = maxAttempts, ScheduledAt = Now, CreatedAt = Now, LeaseOwner = "n",
        Errors = [.. Enumerable.Range(1, errors).Select(i => new JobError(i, Now, $"e{i}"))],
    };

    [Fact]
    public void Failed_BeforeLastAttempt_IsRetryableAfterBackoff()
    {
        var change = Recorder.ToFinalization(Running(attempt: 3), "n", JobOutcome.Failed("503"), Now);

        Assert.Equal(JobState.Retryable, change.State);
        Assert.InRange(change.ScheduledAt!.Value - Now, TimeSpan.FromSeconds(8 * 0.8), TimeSpan.FromSeconds(8 * 1.2));
        Assert.Equal("503", change.Errors![^1].Message);
        Assert.Equal(3, change.Errors[^1].Attempt);
    }

    [Fact]
    public void Failed_OnLastAttempt_IsDiscarded()
    {
        var change = Recorder.ToFinalization(Running(attempt: 5, maxAttempts: 5), "n", JobOutcome.Failed("503"), Now);

        Assert.Equal(JobState.Discarded, change.State);
        Assert.Null(change.ScheduledAt);
    }

    [Fact]
    public void Failed_WithRetryAfter_UsesHandlersDelay()
    {
        var change = Recorder.ToFinalization(Running(attempt: 1), "n", JobOutcome.Failed("429", TimeSpan.FromSeconds(90)), Now);

        Assert.Equal(Now.AddSeconds(90), change.ScheduledAt);
    }

    [Fact]
    public void Failed_KeepsOnlyTheMostRecentErrors()
    {
        var change = Recorder.ToFinalization(Running(attempt: 4, errors: 3), "n", JobOutcome.Failed("e4"), Now);

        Assert.Equal(["e2", "e3", "e4"], change.Errors!.Select(e => e.Message));
    }

    [Fact]
    public void Snooze_GivesBackAttemptAndSchedules()
    {
        var change = Recorder.ToFinalization(Running(attempt: 1), "n", JobOutcome.Snooze(TimeSpan.FromSeconds(2)), Now);

        Assert.Equal(JobState.Scheduled, change.State);
        Assert.True(change.GiveBackAttempt);
        Assert.Equal(Now.AddSeconds(2), change.ScheduledAt);
        Assert.Null(change.Errors);
    }

    [Fact]
    public void Snooze_OfTimeSpanMaxValue_DoesNotThrowAndIsCappedToMaxDelay()
    {
        var change = Recorder.ToFinalization(Running(attempt: 1), "n", JobOutcome.Snooze(TimeSpan.MaxValue), Now);

        Assert.Equal(JobState.Scheduled, change.State);
        Assert.Equal(Now + JobOutcome.MaxDelay, change.ScheduledAt);
    }

    [Fact]
    public void Failed_WithRetryAfterReachingPastTheYear9999_DoesNotThrowAndIsCappedToMaxDelay()
    {
        // What an upstream's "Retry-After: Fri, 31 Dec 9999 23:59:59 GMT" becomes once a little time has passed.
        var huge = DateTimeOffset.MaxValue - Now + TimeSpan.FromSeconds(5);

        var change = Recorder.ToFinalization(Running(attempt: 1), "n", JobOutcome.Failed("429", huge), Now);

        Assert.Equal(JobState.Retryable, change.State);
        Assert.Equal(Now + JobOutcome.MaxDelay, change.ScheduledAt);
        Assert.Equal("429", change.Errors![^1].Message);
    }

    [Fact]
    public void Failed_WithRetryAfterJustBelowTheCap_IsKept()
    {
        var delay = JobOutcome.MaxDelay - TimeSpan.FromSeconds(1);

        var change = Recorder.ToFinalization(Running(attempt: 1), "n", JobOutcome.Failed("429", delay), Now);

        Assert.Equal(Now + delay, change.ScheduledAt);
    }

    [Fact]
    public void Snooze_NearTheEndOfTheCalendar_SaturatesInsteadOfOverflowing()
    {
        var late = DateTimeOffset.MaxValue - TimeSpan.FromDays(2);

        var change = Recorder.ToFinalization(Running(attempt: 1), "n", JobOutcome.Snooze(TimeSpan.FromDays(30)), late);

        Assert.Equal(OutcomeRecorder.LatestScheduledAt, change.ScheduledAt);
        Assert.True(change.ScheduledAt < DateTimeOffset.MaxValue);
    }

    [Fact]
    public void MaxDelay_IsOneYear()
    {
        Assert.Equal(TimeSpan.FromDays(365), JobOutcome.MaxDelay);
    }

    [Fact]
    public void Completed_CarriesLeaseIdentity()
    {
        var change = Recorder.ToFinalization(Running(attempt: 2), "node-9", JobOutcome.Completed, Now);

        // The lease is named by the claim count, which (unlike the attempt) is never given back or reset.
        Assert.Equal((7L, "node-9", 5, JobState.Completed), (change.Id, change.Node, change.Claims, change.State));
    }

    [Fact]
    public void Outcomes_RejectNegativeDelaysAndEmptyMessages()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JobOutcome.Snooze(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => JobOutcome.Failed("x", TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentException>(() => JobOutcome.Discard(" "));
    }
}
