using GridQueue.Client.Tests.Infrastructure;
using GridQueue.Server.Testing;

namespace GridQueue.Client.Tests;

/// <summary>WaitForCompletionAsync.</summary>
public sealed class WaitForCompletionTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    [Fact]
    public async Task WaitForCompletionAsync_Succeeds_ReportsNonDecreasingProgressEndingAt100()
    {
        using var client = await fixture.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request());
        var progress = new RecordingProgress<VideoTask>();

        var done = await client.WaitForCompletionAsync(task.TaskId, progress);

        Assert.Equal(VideoTaskStatus.Succeeded, done.Status);
        Assert.Equal(100, done.Progress);
        Assert.EndsWith("/samples/simulated.webm", done.VideoUrl, StringComparison.Ordinal); // the sample clip the server serves
        Assert.NotNull(done.CompletedAt);
        var reports = progress.Reports;
        Assert.True(reports.Count >= 3, $"only {reports.Count} reports: {string.Join(", ", reports.Select(r => $"{r.Status}/{r.Progress}"))}");
        Assert.All(reports, r => Assert.Equal(task.TaskId, r.TaskId));
        Assert.Equal(reports.Select(r => r.Progress).Order(), reports.Select(r => r.Progress));
        Assert.Contains(reports, r => r.Progress is > 0 and < 100);
        Assert.Equal(done, reports[^1]);
        Assert.Single(reports, r => r.IsTerminal);
    }

    [Fact]
    public async Task WaitForCompletionAsync_AlreadyTerminal_ReturnsAtOnce()
    {
        using var client = await fixture.NewClientAsync();
        var task = await client.CancelAsync((await client.GenerateAsync(ClientSignIn.Request())).TaskId);
        var progress = new RecordingProgress<VideoTask>();

        var done = await client.WaitForCompletionAsync(task.TaskId, progress).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(VideoTaskStatus.Cancelled, done.Status);
        Assert.Equal([done], progress.Reports);
    }

    [Fact]
    public async Task WaitForCompletionAsync_FailingTask_ReturnsFailedWithErrorMessage()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        using var client = await server.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request());

        var done = await client.WaitForCompletionAsync(task.TaskId);

        Assert.Equal(VideoTaskStatus.Failed, done.Status);
        Assert.False(string.IsNullOrWhiteSpace(done.ErrorMessage));
        Assert.Null(done.VideoUrl);
    }

    [Fact]
    public async Task WaitForCompletionAsync_UnknownTask_IsNotFound()
    {
        using var client = await fixture.NewClientAsync();
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.WaitForCompletionAsync("tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V"));
        Assert.Equal(GridQueueErrorCodes.NotFound, e.Code);
    }
}
