namespace GridQueue.Cli.Tests;

/// <summary>watch &lt;task-id&gt; on a task that is still running when the tool starts.</summary>
public sealed class WatchTaskTests(SteadyServer fixture) : IClassFixture<SteadyServer>
{
    [Fact]
    public async Task Watch_TaskId_PrintsEachUpdateAndEndsWhenItSucceeds()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();

        var result = await user.RunAsync("watch", id);

        Assert.True(result.ExitCode == 0, result.ToString());
        var task = await user.StatusAsync(id);
        Assert.True(result.OutLines.Length >= 3, $"Expected a line per update:\n{result}");
        Assert.All(result.OutLines, l => Assert.Contains(id, l, StringComparison.Ordinal));
        Assert.DoesNotContain("succeeded", result.OutLines[0], StringComparison.Ordinal);
        Assert.Contains("succeeded", result.OutLines[^1], StringComparison.Ordinal);
        Assert.EndsWith(task.GetProperty("video_url").GetString()!, result.OutLines[^1], StringComparison.Ordinal);
        Assert.Single(result.OutLines, l => l.Contains("succeeded", StringComparison.Ordinal));
    }
}
