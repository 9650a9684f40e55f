using GridQueue.Client.Tests.Infrastructure;

namespace GridQueue.Client.Tests;

/// <summary>GetAsync and ListAsync.</summary>
public sealed class QueryTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    [Fact]
    public async Task GetAsync_ReturnsTheCallersTask()
    {
        using var client = await fixture.NewClientAsync();
        var created = await client.GenerateAsync(ClientSignIn.Request("get me"));

        var fetched = await client.GetAsync(created.TaskId);

        Assert.Equal(created.TaskId, fetched.TaskId);
        Assert.Equal("get me", fetched.Prompt);
        Assert.Equal(created.CreatedAt, fetched.CreatedAt);
    }

    [Fact]
    public async Task ListAsync_LimitAndCursor_PagesThroughEveryTaskNewestFirst()
    {
        using var client = await fixture.NewClientAsync();
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await client.GenerateAsync(ClientSignIn.Request($"task {i}"))).TaskId);
        }

        var seen = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await client.ListAsync(limit: 2, cursor: cursor);
            Assert.InRange(page.Items.Count, 1, 2);
            seen.AddRange(page.Items.Select(t => t.TaskId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(Enumerable.Reverse(created), seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ListAsync_StatusFilter_ReturnsOnlyTasksInThatStatus()
    {
        using var client = await fixture.NewClientAsync();
        var kept = await client.GenerateAsync(ClientSignIn.Request("kept"));
        var cancelled = await client.CancelAsync((await client.GenerateAsync(ClientSignIn.Request("cancelled"))).TaskId);

        var onlyCancelled = await client.ListAsync(VideoTaskStatus.Cancelled);
        var all = await client.ListAsync();

        Assert.Equal([cancelled.TaskId], onlyCancelled.Items.Select(t => t.TaskId));
        Assert.All(onlyCancelled.Items, t => Assert.Equal(VideoTaskStatus.Cancelled, t.Status));
        Assert.Null(onlyCancelled.NextCursor);
        Assert.Equal([cancelled.TaskId, kept.TaskId], all.Items.Select(t => t.TaskId));
    }
}
