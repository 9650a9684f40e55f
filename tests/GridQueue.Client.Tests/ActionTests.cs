using System.Net;
using GridQueue.Client.Tests.Infrastructure;
using GridQueue.Server.Testing;

namespace GridQueue.Client.Tests;

/// <summary>CancelAsync and RetryAsync.</summary>
public sealed class ActionTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    [Fact]
    public async Task CancelAsync_QueuedTask_IsCancelledAndCancellingAgainIsIdempotent()
    {
        using var client = await fixture.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request());

        var cancelled = await client.CancelAsync(task.TaskId);
        var again = await client.CancelAsync(task.TaskId);

        Assert.Equal(VideoTaskStatus.Cancelled, cancelled.Status);
        Assert.True(cancelled.IsTerminal);
        Assert.NotNull(cancelled.CompletedAt);
        Assert.Equal(VideoTaskStatus.Cancelled, again.Status);
        Assert.Equal(cancelled.CompletedAt, again.CompletedAt);
    }

    [Fact]
    public async Task CancelAsync_RunningTask_IsCancelled()
    {
        using var client = await fixture.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request());
        var running = await WaitUntilAsync(client, task.TaskId, t => t.Status == VideoTaskStatus.Running);

        var cancelled = await client.CancelAsync(task.TaskId);

        Assert.Equal(VideoTaskStatus.Running, running.Status);
        Assert.Equal(VideoTaskStatus.Cancelled, cancelled.Status);
        Assert.Equal(VideoTaskStatus.Cancelled, (await client.GetAsync(task.TaskId)).Status);
    }

    [Fact]
    public async Task CancelAsync_SucceededTask_IsBadRequest()
    {
        using var client = await fixture.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request());
        var done = await client.WaitForCompletionAsync(task.TaskId);
        Assert.Equal(VideoTaskStatus.Succeeded, done.Status);

        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.CancelAsync(task.TaskId));

        Assert.Equal(GridQueueErrorCodes.BadRequest, e.Code);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public async Task RetryAsync_FailedTask_IsQueuedAgainAsAttemptTwo()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        using var client = await server.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request());
        var failed = await client.WaitForCompletionAsync(task.TaskId);
        Assert.Equal(VideoTaskStatus.Failed, failed.Status);

        var retried = await client.RetryAsync(task.TaskId);

        Assert.Equal(VideoTaskStatus.Queued, retried.Status);
        Assert.Equal(2, retried.Attempt);
        Assert.Equal(0, retried.Progress);
        Assert.Null(retried.ErrorMessage);
        Assert.Null(retried.VideoUrl);
        Assert.Null(retried.CompletedAt);
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.RetryAsync(task.TaskId));
        Assert.Equal(GridQueueErrorCodes.BadRequest, e.Code);
    }

    [Fact]
    public async Task RetryAsync_TaskMadeWithOwnKey_NeedsTheKeyAgain()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        using var client = await server.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request(), new GenerateOptions { UserApiKey = "sk-own-key-1" });
        Assert.Equal(VideoTaskStatus.Failed, (await client.WaitForCompletionAsync(task.TaskId)).Status);

        var refused = await Assert.ThrowsAsync<GridQueueException>(() => client.RetryAsync(task.TaskId));
        var retried = await client.RetryAsync(task.TaskId, "sk-own-key-1");

        Assert.Equal(GridQueueErrorCodes.ValidationError, refused.Code);
        Assert.Contains("X-User-Api-Key", refused.Message + string.Join(" ", refused.Details.Keys), StringComparison.Ordinal);
        Assert.Equal(VideoTaskStatus.Queued, retried.Status);
        Assert.Equal(2, retried.Attempt);
    }

    private static async Task<VideoTask> WaitUntilAsync(GridQueueClient client, string taskId, Func<VideoTask, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var task = await client.GetAsync(taskId);
            if (until(task) || DateTime.UtcNow > deadline)
            {
                return task;
            }

            await Task.Delay(20);
        }
    }
}
