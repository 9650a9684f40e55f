using GridQueue.Cli.Output;
using GridQueue.Client;

namespace GridQueue.Cli.Tests;

/// <summary>The progress display in both of its forms (a terminal cannot be faked for the process tests).</summary>
public sealed class ProgressBarTests
{
    [Fact]
    public void Terminal_RedrawsOneLineInPlace_AndEndsIt()
    {
        using var error = new StringWriter();
        var bar = new ProgressBar(error, interactive: true);

        bar.Report(Task(VideoTaskStatus.Queued, 0));
        bar.Report(Task(VideoTaskStatus.Running, 40));
        bar.Report(Task(VideoTaskStatus.Running, 40));
        bar.Report(Task(VideoTaskStatus.Succeeded, 100));
        bar.Finish();

        var frames = error.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, frames.Length);
        Assert.Equal("tsk_1 queued    [░░░░░░░░░░░░░░░░░░░░]   0%", frames[0]);
        Assert.Equal("tsk_1 running   [████████░░░░░░░░░░░░]  40%", frames[1]);
        Assert.Equal("tsk_1 succeeded [████████████████████] 100%" + Environment.NewLine, frames[2]);
    }

    [Fact]
    public void NotATerminal_OnePlainLinePerChange()
    {
        using var error = new StringWriter();
        var bar = new ProgressBar(error, interactive: false);

        bar.Report(Task(VideoTaskStatus.Queued, 0));
        bar.Report(Task(VideoTaskStatus.Running, 0));
        bar.Report(Task(VideoTaskStatus.Running, 40));
        bar.Report(Task(VideoTaskStatus.Running, 40));
        bar.Report(Task(VideoTaskStatus.Failed, 90));
        bar.Finish();

        Assert.Equal(["queued 0%", "running 0%", "running 40%", "failed 90%"], error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\r', error.ToString());
    }

    [Fact]
    public void Table_ShortensLongPrompts_OnOneLine()
    {
        Assert.Equal("a kite", TaskPrinter.Shorten("a kite", 10));
        Assert.Equal("a kite over…", TaskPrinter.Shorten("a kite over\nthe sea", 12));
        Assert.Equal(12, TaskPrinter.Shorten(new string('x', 100), 12).Length);
    }

    private static VideoTask Task(VideoTaskStatus status, int progress) => new()
    {
        TaskId = "tsk_1",
        UserId = "alice",
        Provider = "simulator",
        Model = "sora-2",
        Prompt = "a kite",
        AspectRatio = "16:9",
        Status = status,
        Progress = progress,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };
}
