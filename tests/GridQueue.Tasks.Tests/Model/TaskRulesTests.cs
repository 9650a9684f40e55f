using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using Xunit;

namespace GridQueue.Tasks.Tests.Model;

public sealed class TaskRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private static VideoTask Task(VideoTaskStatus status) => SampleTasks.InStatus(status, Now);

    [Theory]
    [InlineData(VideoTaskStatus.Succeeded)]
    [InlineData(VideoTaskStatus.Failed)]
    [InlineData(VideoTaskStatus.Cancelled)]
    public void UpstreamAnswers_OnTerminalTask_AreRefused(VideoTaskStatus status)
    {
        var task = Task(status);
        Assert.Null(TaskRules.Succeed(task, "https://video", Now));
        Assert.Null(TaskRules.Advance(task, 50, Now));
        Assert.Null(TaskRules.Accept(task, "up-1", Now));
        Assert.Null(TaskRules.Start(task, Now));
        Assert.Null(TaskRules.Cancel(task, Now, keepApiKey: false));
        if (status != VideoTaskStatus.Failed)
        {
            Assert.Null(TaskRules.Retry(task, Now, null));
        }
    }

    [Fact]
    public void Fail_OnFailedTask_IsRefused() => Assert.Null(TaskRules.Fail(Task(VideoTaskStatus.Failed), "again", Now));

    [Fact]
    public void Advance_NeverLowersProgressAndStopsBelowHundred()
    {
        var running = Task(VideoTaskStatus.Running) with { Progress = 40 };
        Assert.Null(TaskRules.Advance(running, 30, Now));
        Assert.Null(TaskRules.Advance(running, 40, Now));
        Assert.Equal(99, TaskRules.Advance(running, 100, Now)!.Progress);
    }

    [Fact]
    public void EndingRules_EraseTheUsersKey()
    {
        var running = Task(VideoTaskStatus.Running);
        Assert.Null(TaskRules.Succeed(running, "https://video", Now)!.ProtectedApiKey);
        Assert.Null(TaskRules.Fail(running, "no", Now)!.ProtectedApiKey);
        Assert.Null(TaskRules.Cancel(running, Now, keepApiKey: false)!.ProtectedApiKey);
        Assert.Equal("encrypted", TaskRules.Cancel(running, Now, keepApiKey: true)!.ProtectedApiKey);
    }

    [Fact]
    public void Retry_FailedTask_StartsANewCleanAttempt()
    {
        var failed = Task(VideoTaskStatus.Failed) with { Attempt = 2, Progress = 95, ErrorMessage = "x", CompletedAt = Now, UpstreamTaskId = "up", SubmitState = SubmitState.Accepted };
        var retried = TaskRules.Retry(failed, Now.AddMinutes(1), null)!;
        Assert.Equal(VideoTaskStatus.Queued, retried.Status);
        Assert.Equal(3, retried.Attempt);
        Assert.Equal(0, retried.Progress);
        Assert.Null(retried.ErrorMessage);
        Assert.Null(retried.CompletedAt);
        Assert.Null(retried.UpstreamTaskId);
        Assert.Equal(SubmitState.NotSent, retried.SubmitState);
    }

    [Fact]
    public void Succeed_SetsVideoUrlProgressAndCompletedAt()
    {
        var done = TaskRules.Succeed(Task(VideoTaskStatus.Running) with { Progress = 70 }, "https://video", Now)!;
        Assert.Equal((VideoTaskStatus.Succeeded, 100, "https://video", Now), (done.Status, done.Progress, done.VideoUrl, done.CompletedAt));
    }

    [Fact]
    public void Accept_OnlyWhileTheSubmitIsInFlight()
    {
        var started = TaskRules.Start(Task(VideoTaskStatus.Queued), Now)!;
        Assert.Equal(SubmitState.InFlight, started.SubmitState);
        var accepted = TaskRules.Accept(started, "up-1", Now)!;
        Assert.Equal("up-1", accepted.UpstreamTaskId);
        Assert.Null(TaskRules.Accept(accepted, "up-2", Now));
    }

    [Fact]
    public void TaskIds_AreWellFormedAndSortByTime()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => TaskIds.New(Now.AddMilliseconds(i / 10))).ToList();
        Assert.All(ids, id => Assert.True(TaskIds.IsWellFormed(id), id));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.False(TaskIds.IsWellFormed("tsk_0000000000000000000000000I"));
        Assert.False(TaskIds.IsWellFormed("../etc/passwd"));
    }

    [Theory]
    [InlineData(1.0, 0, 2000)]
    [InlineData(1.0, 600_000, 2000)]
    [InlineData(2.0, 0, 2000)]
    [InlineData(2.0, 6000, 8000)]
    [InlineData(2.0, 600_000, 30_000)]
    public void NextPollDelay_GrowsWithBackoffUpToTheCap(double factor, int runningMs, int expectedMs)
    {
        var options = new TasksOptions { PollBackoffFactor = factor };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), options.NextPollDelay(TimeSpan.FromMilliseconds(runningMs)));
    }

    [Fact]
    public void Park_QueuedTaskWithAJob_ClearsTheJobOnly()
    {
        var queued = Task(VideoTaskStatus.Queued) with { JobId = 7 };
        var parked = TaskRules.Park(queued)!;
        Assert.Null(parked.JobId);
        Assert.Equal(queued with { JobId = null }, parked);
        Assert.Null(TaskRules.Park(parked));
        Assert.Null(TaskRules.Park(Task(VideoTaskStatus.Running) with { JobId = 7 }));
    }

    [Fact]
    public void Wake_ParkedTask_GetsTheNewJob_AndNothingElse()
    {
        var parked = Task(VideoTaskStatus.Queued) with { JobId = null };
        Assert.Equal(9, TaskRules.Wake(parked, 9)!.JobId);
        Assert.Null(TaskRules.Wake(parked with { JobId = 8 }, 9));
        Assert.Null(TaskRules.Wake(Task(VideoTaskStatus.Cancelled) with { JobId = null }, 9));
    }

    [Fact]
    public void Fail_KeepingTheKey_KeepsItForTheUpstreamCancel_AndEraseApiKeyErasesItOnceEnded()
    {
        var failed = TaskRules.Fail(Task(VideoTaskStatus.Running), "deadline", Now, keepApiKey: true)!;
        Assert.Equal("encrypted", failed.ProtectedApiKey);
        Assert.Null(TaskRules.EraseApiKey(failed)!.ProtectedApiKey);
        Assert.Null(TaskRules.EraseApiKey(Task(VideoTaskStatus.Running)));
        Assert.Null(TaskRules.EraseApiKey(failed with { ProtectedApiKey = null }));
    }
}
