using GridQueue.Client.Tests.Infrastructure;

namespace GridQueue.Client.Tests;

/// <summary>GenerateAsync: defaults, every field, idempotency.</summary>
public sealed class GenerateTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    [Fact]
    public async Task GenerateAsync_OnlyRequiredFields_ServerDefaultsApply()
    {
        using var client = await fixture.NewClientAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var task = await client.GenerateAsync(new GenerateRequest { Prompt = "a red kite over the sea", Model = "sora-2" });

        Assert.StartsWith("tsk_", task.TaskId, StringComparison.Ordinal);
        Assert.Equal("simulator", task.Provider);
        Assert.Equal("16:9", task.AspectRatio);
        Assert.Equal(10, task.Duration);
        Assert.False(task.Hd);
        Assert.Empty(task.Images);
        Assert.Equal(VideoTaskStatus.Queued, task.Status);
        Assert.Equal(0, task.Progress);
        Assert.Equal(1, task.Attempt);
        Assert.Null(task.VideoUrl);
        Assert.Null(task.ErrorMessage);
        Assert.Null(task.CompletedAt);
        Assert.False(task.IsTerminal);
        Assert.InRange(task.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(TimeSpan.Zero, task.CreatedAt.Offset);
    }

    [Fact]
    public async Task GenerateAsync_EveryField_RoundTripsThroughGenerateAndGet()
    {
        using var client = await fixture.NewClientAsync();
        var images = new[] { "https://example.com/a.png", "data:image/png;base64,iVBORw0KGgo=" };

        var task = await client.GenerateAsync(new GenerateRequest
        {
            Prompt = "a lighthouse at dusk",
            Model = "veo-3",
            Provider = "simulator",
            AspectRatio = "9:16",
            Duration = 7,
            Hd = true,
            Images = images,
        });

        Assert.Equal("a lighthouse at dusk", task.Prompt);
        Assert.Equal("veo-3", task.Model);
        Assert.Equal("simulator", task.Provider);
        Assert.Equal("9:16", task.AspectRatio);
        Assert.Equal(7, task.Duration);
        Assert.True(task.Hd);
        Assert.Equal(images, task.Images);
        var fetched = await client.GetAsync(task.TaskId);
        Assert.Equal(task with { Status = fetched.Status, Progress = fetched.Progress, UpstreamTaskId = fetched.UpstreamTaskId, UpdatedAt = fetched.UpdatedAt }, fetched);
    }

    [Fact]
    public async Task GenerateAsync_SameIdempotencyKey_ReturnsTheSameTaskAndMakesNoSecond()
    {
        using var client = await fixture.NewClientAsync();
        var options = new GenerateOptions { IdempotencyKey = "key-" + Guid.NewGuid() };

        var first = await client.GenerateAsync(ClientSignIn.Request("first"), options);
        var second = await client.GenerateAsync(ClientSignIn.Request("second"), options);

        Assert.Equal(first.TaskId, second.TaskId);
        Assert.Equal("first", second.Prompt);
        var page = await client.ListAsync();
        Assert.Equal([first.TaskId], page.Items.Select(t => t.TaskId));
    }

    [Fact]
    public async Task GenerateAsync_UserApiKey_IsAcceptedAndNeverReturned()
    {
        using var client = await fixture.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request(), new GenerateOptions { UserApiKey = "sk-user-secret-123" });
        Assert.Equal(VideoTaskStatus.Queued, task.Status);
        Assert.DoesNotContain("sk-user-secret-123", System.Text.Json.JsonSerializer.Serialize(task), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-user-secret-123", new GenerateOptions { UserApiKey = "sk-user-secret-123" }.ToString(), StringComparison.Ordinal);
    }
}
