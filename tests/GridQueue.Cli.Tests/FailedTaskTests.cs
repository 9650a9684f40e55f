using GridQueue.Server.Testing;
using GridQueue.Tasks.Providers.Simulator;

namespace GridQueue.Cli.Tests;

public sealed class FailedTaskTests(FailingServer fixture) : IClassFixture<FailingServer>
{
    [Fact]
    public async Task SubmitWait_TaskFails_ExitsOneWithItsErrorMessage()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("submit", "a red kite over the sea", "--model", "sora-2", "--wait");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Out);
        Assert.Equal($"failed: {SimulatorProviderOptions.DefaultFailReason}", result.ErrorLines[^1]);
        // Progress lines come before it; which states they show depends on how the events were batched on the way
        // (a loaded machine can deliver started, progress and the end together), so only their presence is checked.
        Assert.True(result.ErrorLines.Length >= 2, result.ToString());
    }

    [Fact]
    public async Task SubmitWaitJson_TaskFails_PrintsTheFailedTask()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("submit", "a red kite over the sea", "--model", "sora-2", "--wait", "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var task = Json.Parse(result);
        Json.AssertTask(task);
        Assert.Equal("failed", task.Status());
        Assert.Equal(SimulatorProviderOptions.DefaultFailReason, task.GetProperty("error_message").GetString());
    }

    [Fact]
    public async Task Retry_FailedTask_IsQueuedAgainAsAttemptTwo()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        await user.Api.WaitForStatusAsync(id, "failed");

        var result = await user.RunAsync("retry", id, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var task = Json.Parse(result);
        Json.AssertTask(task);
        Assert.Equal(id, task.Id());
        Assert.Equal("queued", task.Status());
        Assert.Equal(2, task.GetProperty("attempt").GetInt32());
        Assert.Equal(0, task.GetProperty("progress").GetInt32());
        Assert.Equal(2, (await user.StatusAsync(id)).GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task Retry_TaskMadeWithOwnKey_NeedsApiKeyAgain()
    {
        using var user = await fixture.UserAsync();
        var submitted = await user.RunAsync("submit", "a red kite over the sea", "--model", "sora-2", "--api-key", "sk-own-key-2");
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var id = submitted.Out.Trim();
        await user.Api.WaitForStatusAsync(id, "failed");

        var refused = await user.RunAsync("retry", id);
        var retried = await user.RunAsync("retry", id, "--api-key", "sk-own-key-2", "--json");

        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("VALIDATION_ERROR", refused.Error, StringComparison.Ordinal);
        Assert.Contains("X-User-Api-Key", refused.Error, StringComparison.Ordinal);
        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.Equal(2, Json.Parse(retried).GetProperty("attempt").GetInt32());
        Assert.DoesNotContain("sk-own-key-2", refused.Out + refused.Error + retried.Out + retried.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_PrintsTheId_AndRetryWaitEndsWithTheNewOutcome()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        await user.Api.WaitForStatusAsync(id, "failed");

        var retried = await user.RunAsync("retry", id);
        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.Equal(id + "\n", retried.Out);
        Assert.Contains("attempt 2", retried.Error, StringComparison.Ordinal);

        await user.Api.WaitForStatusAsync(id, "failed");
        var waited = await user.RunAsync("retry", id, "--wait");
        Assert.True(waited.ExitCode == 1, waited.ToString());
        Assert.Equal($"failed: {SimulatorProviderOptions.DefaultFailReason}", waited.ErrorLines[^1]);
        Assert.Equal(3, (await user.StatusAsync(id)).GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task Watch_TaskThatFails_ExitsOneWithItsErrorMessage()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();

        var result = await user.RunAsync("watch", id);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("failed", result.OutLines[^1], StringComparison.Ordinal);
        Assert.Contains(SimulatorProviderOptions.DefaultFailReason, result.OutLines[^1], StringComparison.Ordinal);
        Assert.Equal($"failed: {SimulatorProviderOptions.DefaultFailReason}", result.ErrorLines[^1]);
    }
}
