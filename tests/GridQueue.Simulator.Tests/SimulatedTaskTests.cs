using Xunit;

namespace GridQueue.Simulator.Tests;

public sealed class SimulatedTaskTests
{
    private static readonly DateTimeOffset Submitted = new(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);

    private static SimulatedTask NewTask(int? failAt = null) => new()
    {
        Id = "sim-1",
        Prompt = "p",
        Model = "m",
        SubmittedAt = Submitted,
        RunTime = TimeSpan.FromSeconds(100),
        FailAtProgress = failAt,
    };

    [Theory]
    [InlineData(0, SimulatedTaskStatus.NotStart, 0)]
    [InlineData(4.9, SimulatedTaskStatus.NotStart, 0)]
    [InlineData(5, SimulatedTaskStatus.Queued, 0)]
    [InlineData(9.9, SimulatedTaskStatus.Queued, 0)]
    [InlineData(10, SimulatedTaskStatus.InProgress, 1)]
    [InlineData(55, SimulatedTaskStatus.InProgress, 50)]
    [InlineData(99.99, SimulatedTaskStatus.InProgress, 99)]
    [InlineData(100, SimulatedTaskStatus.Success, 100)]
    [InlineData(1000, SimulatedTaskStatus.Success, 100)]
    public void ViewAt_SecondsAfterSubmit_ShowsThePhase(double seconds, string status, int progress)
    {
        var view = NewTask().ViewAt(Submitted.AddSeconds(seconds));

        Assert.Equal(status, view.Status);
        Assert.Equal(progress, view.Progress);
        Assert.Equal("", view.FailReason);
    }

    [Fact]
    public void ViewAt_AfterTheEnd_ReportsStartAndFinishTimes()
    {
        var view = NewTask().ViewAt(Submitted.AddSeconds(150));

        Assert.Equal(Submitted.AddSeconds(10), view.StartedAt);
        Assert.Equal(Submitted.AddSeconds(100), view.FinishedAt);
    }

    [Fact]
    public void ViewAt_FailingTaskPastItsPoint_FailsAtThatProgress()
    {
        var task = NewTask(failAt: 92);

        var before = task.ViewAt(Submitted.AddSeconds(90));
        var after = task.ViewAt(Submitted.AddSeconds(95));

        Assert.Equal(SimulatedTaskStatus.InProgress, before.Status);
        Assert.Equal(SimulatedTaskStatus.Failure, after.Status);
        Assert.Equal(92, after.Progress);
        Assert.Equal(SimulatedTask.FailureReason, after.FailReason);
        Assert.Equal(Submitted.AddSeconds(10 + (90 * 0.92)), after.FinishedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(after, task.ViewAt(Submitted.AddHours(1)));
    }
}
