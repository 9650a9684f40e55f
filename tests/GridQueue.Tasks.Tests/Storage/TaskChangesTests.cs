using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using GridQueue.Tasks.Tests.Model;
using Xunit;

namespace GridQueue.Tasks.Tests.Storage;

/// <summary>Which changes the store may write as a progress-only update (fewer columns, no index rewritten).</summary>
public sealed class TaskChangesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OnlyProgressMoved_ForAnAdvance_IsTrue_ForEveryOtherRule_False()
    {
        var running = SampleTasks.InStatus(VideoTaskStatus.Running, Now) with { Progress = 40 };
        var later = Now.AddSeconds(3);

        Assert.True(TaskChanges.OnlyProgressMoved(running, TaskRules.Advance(running, 60, later)! with { Version = running.Version + 1 }));
        Assert.False(TaskChanges.OnlyProgressMoved(running, TaskRules.Succeed(running, "https://video", later)! with { Version = running.Version + 1 }));
        Assert.False(TaskChanges.OnlyProgressMoved(running, TaskRules.Fail(running, "no", later)! with { Version = running.Version + 1 }));
        Assert.False(TaskChanges.OnlyProgressMoved(running, TaskRules.Cancel(running, later, keepApiKey: false)! with { Version = running.Version + 1 }));
        Assert.False(TaskChanges.OnlyProgressMoved(running, running with { Progress = 60, ErrorMessage = "x" }));
    }
}
