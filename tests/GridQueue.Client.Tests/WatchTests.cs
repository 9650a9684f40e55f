using GridQueue.Client.Tests.Infrastructure;
using GridQueue.Server.Testing;

namespace GridQueue.Client.Tests;

/// <summary>WatchAsync on a steady connection: order, ids, resume point, narrowing, cancellation, refusals.</summary>
public sealed class WatchTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    [Fact]
    public async Task WatchAsync_YieldsEveryUpdateOfATaskInOrderWithIncreasingIds()
    {
        var user = ClientSignIn.NewUser();
        var token = await fixture.Server.TokenAsync(user);
        await using var witness = await SseClient.ConnectAsync(fixture.Server.Address, token);
        var (http, openings) = EventStreamOpenings.CreateClient(fixture.Server.Address);
        using var _ = http;
        using var client = new GridQueueClient(http, token);
        await using var watch = new WatchRecorder(client);
        await openings.WaitForAsync(1);

        var task = await client.GenerateAsync(ClientSignIn.Request());
        var updates = await watch.WaitUntilAsync(u => u.Any(x => x.Task.IsTerminal));
        var expected = await witness.ReadUntilAsync(e => e.Data.IsTerminal());

        Assert.Equal(expected.Select(e => e.Id), updates.Select(u => u.EventId));
        Assert.Equal(expected.Select(e => (e.Data.Status(), e.Data.GetProperty("progress").GetInt32())), updates.Select(u => (Wire(u.Task.Status), u.Task.Progress)));
        Assert.All(updates, u => Assert.Equal(task.TaskId, u.Task.TaskId));
        Assert.Equal(VideoTaskStatus.Queued, updates[0].Task.Status);
        Assert.Equal(VideoTaskStatus.Succeeded, updates[^1].Task.Status);
        Assert.True(updates.Zip(updates.Skip(1)).All(p => p.First.EventId < p.Second.EventId), WatchRecorder.Describe(updates));
        Assert.Equal(expected[^1].Data.GetProperty("video_url").GetString(), updates[^1].Task.VideoUrl);
    }

    [Fact]
    public async Task WatchAsync_LastEventId_ReplaysExactlyTheChangesAfterIt()
    {
        using var client = await fixture.NewClientAsync();
        var task = await client.GenerateAsync(ClientSignIn.Request());
        await client.WaitForCompletionAsync(task.TaskId);
        await using var all = new WatchRecorder(client, new WatchOptions { TaskId = task.TaskId, LastEventId = 0 });
        var history = await all.WaitUntilAsync(u => u.Any(x => x.Task.IsTerminal));
        Assert.True(history.Count >= 3, WatchRecorder.Describe(history));

        await using var resumed = new WatchRecorder(client, new WatchOptions { LastEventId = history[1].EventId });
        var replay = await resumed.WaitUntilAsync(u => u.Any(x => x.Task.IsTerminal));

        Assert.Equal(history.Skip(2), replay);
        Assert.Equal(VideoTaskStatus.Queued, history[0].Task.Status);
    }

    [Fact]
    public async Task WatchAsync_TaskId_CarriesOnlyThatTask()
    {
        using var client = await fixture.NewClientAsync();
        var watched = await client.GenerateAsync(ClientSignIn.Request("watched"));
        await using var watch = new WatchRecorder(client, new WatchOptions { TaskId = watched.TaskId, LastEventId = 0 });
        var other = await client.GenerateAsync(ClientSignIn.Request("other"));

        await client.WaitForCompletionAsync(other.TaskId);
        var updates = await watch.WaitUntilAsync(u => u.Any(x => x.Task.IsTerminal));
        await Task.Delay(300); // room for a wrongly routed event of the other task to arrive

        Assert.All(watch.Updates, u => Assert.Equal(watched.TaskId, u.Task.TaskId));
        Assert.NotEmpty(updates);
    }

    [Fact]
    public async Task WatchAsync_Cancelled_EndsWithOperationCanceled()
    {
        using var client = await fixture.NewClientAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var started = DateTime.UtcNow;

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.WatchAsync(cancellationToken: cts.Token))
            {
                Assert.Fail($"Nothing changed, yet it yielded {update}");
            }
        });

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public async Task WatchAsync_ServerUnreachable_ReportsEachFailedAttemptUntilCancelled()
    {
        using var nobody = new RefusingPort();
        using var client = new GridQueueClient(nobody.Address, "t");
        var failures = new List<Exception>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(new WatchOptions { ReconnectDelay = TimeSpan.FromMilliseconds(20), Disconnected = failures.Add }, cts.Token))
            {
            }
        });

        // Waits of 100, 200, 400, 800 ms (20 ms is raised to the 50 ms floor, then doubled per failure): about 4
        // attempts in 1.5 s; a wait that did not grow would make 15 or more.
        Assert.True(failures.Count is >= 3 and <= 7, $"{failures.Count} failed attempts: {string.Join("; ", failures.Select(f => f.Message))}");
        Assert.All(failures, f => Assert.Equal(GridQueueErrorCodes.ConnectionFailed, Assert.IsType<GridQueueException>(f).Code));
    }

    [Fact]
    public async Task WatchAsync_UnknownTask_IsNotFoundAndNotRetried()
    {
        using var client = await fixture.NewClientAsync();
        var disconnects = 0;
        var e = await Assert.ThrowsAsync<GridQueueException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(new WatchOptions { TaskId = "tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V", Disconnected = _ => disconnects++ }))
            {
            }
        });
        Assert.Equal(GridQueueErrorCodes.NotFound, e.Code);
        Assert.Equal(0, disconnects);
    }

    [Fact]
    public async Task WatchAsync_BadToken_IsUnauthorized()
    {
        using var client = new GridQueueClient(fixture.Server.Address, "bad.token.value");
        var e = await Assert.ThrowsAsync<GridQueueException>(async () =>
        {
            await foreach (var _ in client.WatchAsync())
            {
            }
        });
        Assert.Equal(GridQueueErrorCodes.Unauthorized, e.Code);
    }

    [Fact]
    public async Task WatchAsync_HttpClientTimeoutShorterThanTheStream_DoesNotCutIt()
    {
        var token = await fixture.Server.TokenAsync(ClientSignIn.NewUser());
        var (http, openings) = EventStreamOpenings.CreateClient(fixture.Server.Address, TimeSpan.FromSeconds(1));
        using var _ = http;
        using var client = new GridQueueClient(http, token);
        var disconnects = new List<Exception>();
        await using var watch = new WatchRecorder(client, new WatchOptions { Disconnected = disconnects.Add });
        await openings.WaitForAsync(1);

        await Task.Delay(TimeSpan.FromSeconds(2)); // twice the HttpClient's time-out, on an idle stream
        var task = await client.GenerateAsync(ClientSignIn.Request());
        var updates = await watch.WaitUntilAsync(u => u.Count > 0);

        Assert.Equal(task.TaskId, updates[0].Task.TaskId);
        Assert.Empty(disconnects);
        Assert.Equal(1, openings.Count);
    }

    private static string Wire(VideoTaskStatus status) => status.ToString().ToLowerInvariant();
}
