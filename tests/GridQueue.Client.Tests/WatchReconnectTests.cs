using System.Collections.Concurrent;
using GridQueue.Client.Tests.Infrastructure;
using GridQueue.Server.Testing;

namespace GridQueue.Client.Tests;

/// <summary>
/// The acceptance tests of WatchAsync's resume: across connections cut by the network and across a server restart,
/// the client yields exactly the server's sequence of changes — nothing missed, nothing repeated.
/// </summary>
public sealed class WatchReconnectTests
{
    private const int Tasks = 3;

    [Fact]
    public async Task WatchAsync_ForcedDisconnectsMidTask_NoUpdateMissedOrRepeated()
    {
        // Tasks last 4 s, so two cuts and the reconnects after them fall inside the tasks' lives.
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = "00:00:04" });
        await using var proxy = new TcpProxy(server.Address);
        var token = await server.TokenAsync(ClientSignIn.NewUser());
        await using var witness = await SseClient.ConnectAsync(server.Address, token);
        using var direct = new GridQueueClient(server.Address, token);
        var (http, openings) = EventStreamOpenings.CreateClient(proxy.Address);
        using var _ = http;
        using var client = new GridQueueClient(http, token);
        var disconnects = new ConcurrentQueue<Exception>();
        await using var watch = new WatchRecorder(client, new WatchOptions
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            Disconnected = disconnects.Enqueue,
        });
        await openings.WaitForAsync(1);

        var ids = new List<string>();
        for (var i = 0; i < Tasks; i++)
        {
            ids.Add((await direct.GenerateAsync(ClientSignIn.Request($"task {i}"))).TaskId);
        }

        var gaps = new List<(DateTimeOffset Cut, DateTimeOffset Back)>();
        for (var cut = 1; cut <= 2; cut++)
        {
            // Cut once the client is receiving progress of running tasks, then keep it away for 500 ms (its
            // reconnects are refused meanwhile) so changes happen while it is gone.
            var seen = watch.Updates.Count;
            await watch.WaitUntilAsync(u => u.Count >= seen + 2 && u.Skip(seen).Any(x => x.Task.Status == VideoTaskStatus.Running));
            var cutAt = DateTimeOffset.UtcNow;
            proxy.AbortAll(refuseFor: TimeSpan.FromMilliseconds(500));
            await openings.WaitForAsync(cut + 1);
            gaps.Add((cutAt, DateTimeOffset.UtcNow));
        }

        var updates = await watch.WaitUntilAsync(u => ids.All(id => u.Any(x => x.Task.TaskId == id && x.Task.IsTerminal)), TimeSpan.FromSeconds(20));
        var expected = new List<SseEvent>();
        while (!ids.All(id => expected.Any(e => e.Data.Id() == id && e.Data.IsTerminal())))
        {
            expected.Add(await witness.NextAsync());
        }

        var described = $"client: {WatchRecorder.Describe(updates)}\nwitness: {string.Join(", ", expected.Select(e => $"{e.Id}:{e.Data.Id()[^4..]}/{e.Data.Status()}"))}";
        Assert.True(expected.Select(e => e.Id).SequenceEqual(updates.Select(u => u.EventId)), described);
        Assert.Equal(
            expected.Select(e => (e.Data.Id(), e.Data.Status(), e.Data.GetProperty("progress").GetInt32())),
            updates.Select(u => (u.Task.TaskId, u.Task.Status.ToString().ToLowerInvariant(), u.Task.Progress)));
        Assert.Equal(updates.Count, updates.Select(u => u.EventId).Distinct().Count());

        // The test proves something only if the cuts fell mid-task and changes happened while the client was away.
        Assert.True(disconnects.Count >= 2, $"Disconnected was called {disconnects.Count} time(s)");
        Assert.All(disconnects, d => Assert.Equal(GridQueueErrorCodes.ConnectionFailed, Assert.IsType<GridQueueException>(d).Code));
        var missedWhileAway = expected.Count(e => gaps.Any(g => Updated(e) > g.Cut && Updated(e) < g.Back));
        Assert.True(missedWhileAway > 0, $"No change happened while the client was disconnected; gaps {string.Join(", ", gaps)}\n{described}");
        Assert.All(gaps, g => Assert.True(
            updates.Any(u => u.Task.UpdatedAt > g.Back && !u.Task.IsTerminal),
            $"The cut at {g.Cut:HH:mm:ss.fff} was not mid-task\n{described}"));
    }

    [Fact]
    public async Task WatchAsync_DropBeforeTheFirstChange_ResumesFromTheStreamsOpeningMark()
    {
        // A server with no change yet: the stream opens with "id: 0", the client's only resume point.
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = "00:00:02" });
        await using var proxy = new TcpProxy(server.Address);
        var token = await server.TokenAsync(ClientSignIn.NewUser());
        using var direct = new GridQueueClient(server.Address, token);
        var (http, openings) = EventStreamOpenings.CreateClient(proxy.Address);
        using var _ = http;
        using var client = new GridQueueClient(http, token);
        await using var watch = new WatchRecorder(client, new WatchOptions { ReconnectDelay = TimeSpan.FromMilliseconds(100) });
        await openings.WaitForAsync(1);
        await Task.Delay(500); // the opening block travels with the response headers; give the reader time to take it

        proxy.AbortAll(refuseFor: TimeSpan.FromSeconds(1));
        var task = await direct.GenerateAsync(ClientSignIn.Request()); // its first changes happen while the client is away

        var updates = await watch.WaitUntilAsync(u => u.Any(x => x.Task.TaskId == task.TaskId && x.Task.IsTerminal), TimeSpan.FromSeconds(20));
        Assert.True(openings.Count >= 2, $"the stream opened {openings.Count} time(s)");
        Assert.Equal(VideoTaskStatus.Queued, updates[0].Task.Status);
        Assert.Equal(task.TaskId, updates[0].Task.TaskId);
        Assert.Equal(updates.Count, updates.Select(u => u.EventId).Distinct().Count());
        Assert.Equal(updates.Select(u => u.EventId).Order(), updates.Select(u => u.EventId));
    }

    [Fact]
    public async Task WatchAsync_ServerRestart_ResumesFromTheStoredLogWithoutRepeats()
    {
        var first = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = "00:00:02" });
        await using var firstServer = first;
        var address = first.Address;
        var token = await first.TokenAsync(ClientSignIn.NewUser());
        var (http, openings) = EventStreamOpenings.CreateClient(address);
        using var _ = http;
        using var client = new GridQueueClient(http, token);
        var disconnects = new ConcurrentQueue<Exception>();
        await using var watch = new WatchRecorder(client, new WatchOptions
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            Disconnected = disconnects.Enqueue,
        });
        await openings.WaitForAsync(1);
        var task = await client.GenerateAsync(ClientSignIn.Request());
        await watch.WaitUntilAsync(u => u.Any(x => x.Task.TaskId == task.TaskId && x.Task.Status == VideoTaskStatus.Running));

        await first.StopAsync();
        await using var second = await RunningServer.StartAsync(
            new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = "00:00:02" }, folder: first.Folder, port: address.Port);

        var updates = await watch.WaitUntilAsync(u => u.Any(x => x.Task.TaskId == task.TaskId && x.Task.IsTerminal), TimeSpan.FromSeconds(20));
        await using var log = await SseClient.ConnectAsync(second.Address, token, $"?task_id={task.TaskId}", lastEventId: 0);
        var stored = await log.ReadUntilAsync(e => e.Data.IsTerminal());

        var mine = updates.Where(u => u.Task.TaskId == task.TaskId).ToList();
        var described = $"client: {WatchRecorder.Describe(updates)}\nlog: {string.Join(", ", stored.Select(e => $"{e.Id}:{e.Data.Status()}"))}";
        Assert.True(stored.Select(e => e.Id).SequenceEqual(mine.Select(u => u.EventId)), described);
        Assert.Equal(updates.Count, updates.Select(u => u.EventId).Distinct().Count());
        Assert.Equal(VideoTaskStatus.Succeeded, mine[^1].Task.Status);
        Assert.Equal(VideoTaskStatus.Queued, mine[0].Task.Status);
        Assert.NotEmpty(disconnects);
        Assert.True(openings.Count >= 2, $"the stream opened {openings.Count} time(s)");
    }

    [Fact]
    public async Task WaitForCompletionAsync_ConnectionCutMidTask_StillReturnsTheFinishedTask()
    {
        await using var server = await RunningServer.StartAsync();
        await using var proxy = new TcpProxy(server.Address);
        var token = await server.TokenAsync(ClientSignIn.NewUser());
        var (http, openings) = EventStreamOpenings.CreateClient(proxy.Address);
        using var _ = http;
        using var client = new GridQueueClient(http, token);
        var task = await client.GenerateAsync(ClientSignIn.Request());
        var cut = false;
        var progress = new CuttingProgress(t =>
        {
            if (!cut && t.Status == VideoTaskStatus.Running)
            {
                cut = true;
                proxy.AbortAll();
            }
        });

        var done = await client.WaitForCompletionAsync(task.TaskId, progress).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(cut, "the task was never seen running");
        Assert.Equal(VideoTaskStatus.Succeeded, done.Status);
        Assert.True(openings.Count >= 2, $"the stream opened {openings.Count} time(s)");
        Assert.Equal(progress.Reports.Select(r => r.Progress).Order(), progress.Reports.Select(r => r.Progress));
        Assert.Equal(done, progress.Reports[^1]);
    }

    private static DateTimeOffset Updated(SseEvent e) => e.Data.GetProperty("updated_at").GetDateTimeOffset();

    /// <summary>Records reports and runs an action on each, synchronously, inside the client's wait.</summary>
    private sealed class CuttingProgress(Action<VideoTask> onReport) : IProgress<VideoTask>
    {
        public List<VideoTask> Reports { get; } = [];

        public void Report(VideoTask value)
        {
            Reports.Add(value);
            onReport(value);
        }
    }
}
