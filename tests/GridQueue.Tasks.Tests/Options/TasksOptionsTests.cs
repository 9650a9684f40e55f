using GridQueue.Tasks.Model;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Tests.Model;
using Xunit;

namespace GridQueue.Tasks.Tests.Options;

public sealed class TasksOptionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly TasksOptions _options = new() { Deadline = TimeSpan.FromMinutes(1), MaxRetryAfter = TimeSpan.FromMinutes(5) };

    [Fact]
    public void BoundWait_HourLongRetryAfter_EndsAtTheDeadline() =>
        Assert.Equal(TimeSpan.FromSeconds(20), _options.BoundWait(TimeSpan.FromHours(1), Now, Now.AddSeconds(20)));

    [Fact]
    public void BoundWait_NoDeadline_CappedAtMaxRetryAfter() =>
        Assert.Equal(TimeSpan.FromMinutes(5), _options.BoundWait(TimeSpan.MaxValue, Now, null));

    [Fact]
    public void BoundWait_DeadlinePassed_IsZero() =>
        Assert.Equal(TimeSpan.Zero, _options.BoundWait(TimeSpan.FromSeconds(3), Now, Now.AddSeconds(-1)));

    [Fact]
    public void BoundWait_OwnPollInterval_NotCappedByMaxRetryAfter() =>
        Assert.Equal(TimeSpan.FromMinutes(10), _options.BoundWait(TimeSpan.FromMinutes(10), Now, Now.AddHours(1), capAtMaxRetryAfter: false));

    [Fact]
    public void BoundWait_NegativeWait_IsZero() =>
        Assert.Equal(TimeSpan.Zero, _options.BoundWait(TimeSpan.FromSeconds(-5), Now, null));

    [Fact]
    public void DeadlineOf_RunningTask_CountsFromItsStart()
    {
        var task = Task(VideoTaskStatus.Running, startedAt: Now);
        Assert.Equal(Now.AddMinutes(1), _options.DeadlineOf(task));
    }

    [Fact]
    public void DeadlineOf_QueuedTask_HasNone() =>
        Assert.Null(_options.DeadlineOf(Task(VideoTaskStatus.Queued, startedAt: null)));

    private static VideoTask Task(VideoTaskStatus status, DateTimeOffset? startedAt) =>
        SampleTasks.InStatus(status, Now) with { StartedAt = startedAt };
}
