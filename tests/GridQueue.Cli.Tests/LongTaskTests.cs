using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

/// <summary>Tasks that stay running (60 s videos): cancel, and Ctrl+C while waiting or watching.</summary>
public sealed class LongTaskTests(SlowServer fixture) : IClassFixture<SlowServer>
{
    [Fact]
    public async Task Cancel_RunningTask_IsCancelled()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        await user.Api.WaitForStatusAsync(id, "running");

        var result = await user.RunAsync("cancel", id);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{id} cancelled\n", result.Out);
        Assert.Equal("cancelled", (await user.StatusAsync(id)).Status());

        var again = await user.RunAsync("cancel", id, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        var task = Json.Parse(again);
        Json.AssertTask(task);
        Assert.Equal("cancelled", task.Status());
    }

    [Fact]
    public async Task SubmitWait_CtrlC_ExitsWith130Quietly()
    {
        using var user = await fixture.UserAsync();
        await using var process = user.Start("submit", "a slow kite", "--model", "sora-2", "--wait");
        await process.WaitForLineAsync(l => l.StartsWith("running ", StringComparison.Ordinal), stderr: true);

        await process.InterruptAsync();
        var result = await process.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Equal("", result.Out);
        Assert.DoesNotContain("error", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitWait_TaskCancelledMeanwhile_ExitsOne()
    {
        using var user = await fixture.UserAsync();
        await using var process = user.Start("submit", "a kite to cancel", "--model", "sora-2", "--wait");
        await process.WaitForLineAsync(l => l.StartsWith("running ", StringComparison.Ordinal), stderr: true);
        var items = (await user.Api.GetEnvelopeAsync("api/v1/video/tasks")).Envelope.GetProperty("data").GetProperty("items");
        var id = Assert.Single(items.EnumerateArray()).Id();

        var (status, envelope) = await user.Api.PostEnvelopeAsync($"api/v1/video/cancel/{id}");
        Assert.True(status == System.Net.HttpStatusCode.OK, envelope.ToString());
        var result = await process.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Out);
        Assert.StartsWith("cancelled", result.ErrorLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AllTasks_PrintsUpdatesUntilCtrlC()
    {
        using var user = await fixture.UserAsync();
        await using var process = user.Start("watch");

        var seen = await OwnServerTests.SeeNewTaskAsync(process, user.Api);

        var line = await process.WaitForLineAsync(l => l.Contains(seen, StringComparison.Ordinal) && l.Contains("running", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d  tsk_\S+  running\s+\d+%$", line);

        await process.InterruptAsync();
        var result = await process.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Equal("", result.Error);
    }
}
