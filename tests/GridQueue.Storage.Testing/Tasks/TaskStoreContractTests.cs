using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Xunit;

namespace GridQueue.Storage.Testing.Tasks;

/// <summary>
/// The task store's contract, run on every backend: what a task, its images, its events and its keys read back as.
/// The guarantees that must hold with concurrent writers on several nodes are in the other part of this class.
/// </summary>
public abstract partial class TaskStoreContractTests(ITaskTestDatabase database) : IAsyncLifetime
{
    protected static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly EventPageSize Everything = new(1000, 1 << 30);

    private ITaskStore? _store;

    protected ITaskStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync() => _store = await database.CreateTaskStoreAsync();

    public Task DisposeAsync() => database.DeleteAsync();

    [Fact]
    public async Task TaskInsert_ThenReads_WithAndWithoutImages()
    {
        var images = new[] { "data:image/png;base64,iVBO+w/0==", "https://img.example/a.png?x=1&y=2" };
        var task = NewTask(1, images: images);
        await InsertAsync(task);

        var full = await Store.TaskGetAsync(task.Id, CancellationToken.None);
        var light = await Store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None);

        Assert.NotNull(full);
        Assert.NotNull(light);
        Assert.Equal(TaskJson.Serialize(task), TaskJson.Serialize(full));
        Assert.True(full.ImagesLoaded);
        Assert.False(light.ImagesLoaded);
        Assert.Empty(light.Images);
        Assert.Equal(images, await Store.TaskImagesGetAsync(task.Id, CancellationToken.None));
        Assert.Null(await Store.TaskGetAsync("task_missing", CancellationToken.None));
        Assert.Empty(await Store.TaskImagesGetAsync("task_missing", CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TaskInsertWithEvent_StoresTheTaskAndItsEvent_WithTheSequenceReturned(bool withImages)
    {
        var task = NewTask(1, images: withImages ? ["data:image/png;base64,iVBO+w/0=="] : null);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);

        long sequence;
        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            sequence = await scope.TaskInsertWithEventAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(TaskJson.Serialize(task), TaskJson.Serialize((await Store.TaskGetAsync(task.Id, CancellationToken.None))!));
        var logged = Assert.Single(await Store.EventListAfterAsync(baseline, null, null, new EventPageSize(100, 1 << 20), CancellationToken.None));
        Assert.Equal((sequence, task.Id, "alice"), (logged.Sequence, logged.TaskId, logged.UserId));
        Assert.Equal(TaskJson.Serialize(task), logged.Payload);
    }

    [Fact]
    public async Task TaskUpdate_KeepsTheImages_ScopeReadsWithoutThem_EventsCarryThem()
    {
        var images = new[] { "data:image/png;base64," + new string('Q', 200_000) + "+/==", "https://img.example/a.png" };
        var task = NewTask(1, images: images);
        await InsertAsync(task);

        for (var progress = 10; progress <= 100; progress += 10)
        {
            await using var scope = await Store.BeginAsync(WriteDurability.Relaxed, CancellationToken.None);
            var current = (await scope.TaskGetAsync(task.Id, CancellationToken.None))!;
            Assert.False(current.ImagesLoaded);
            var next = current with { Progress = progress, Version = current.Version + 1 };
            Assert.True(await scope.TaskUpdateAsync(next, current.Version, CancellationToken.None));
            await scope.EventAppendAsync(next, TaskJson.SerializeForLog(next), Now, CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
        }

        var full = (await Store.TaskGetAsync(task.Id, CancellationToken.None))!;
        var events = await Store.EventListAfterAsync(0, "alice", task.Id, Everything, CancellationToken.None);

        Assert.Equal((100, 11L), (full.Progress, full.Version));
        Assert.Equal(images, full.Images);
        Assert.Equal(11, events.Count);
        Assert.Equal(TaskJson.Serialize(full), events[^1].Payload);
        Assert.Throws<InvalidOperationException>(() => TaskJson.Serialize(full with { Images = [], ImagesLoaded = false }));
    }

    [Fact]
    public async Task CallbackUrl_ReadsBack_StaysThroughUpdates_AndIsNullWhenNotGiven()
    {
        const string url = "https://hooks.example/gridqueue?token=a&b=1";
        var withUrl = NewTask(1) with { CallbackUrl = url };
        var without = NewTask(2);
        await InsertAsync(withUrl);
        await InsertAsync(without);

        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            var current = (await scope.TaskGetAsync(withUrl.Id, CancellationToken.None))!;
            Assert.Equal(url, current.CallbackUrl);
            var ended = current with { Status = VideoTaskStatus.Cancelled, CompletedAt = Now, Version = current.Version + 1 };
            Assert.True(await scope.TaskUpdateAsync(ended, current.Version, CancellationToken.None));
            await scope.CommitAsync(CancellationToken.None);
        }

        var read = (await Store.TaskGetWithoutImagesAsync(withUrl.Id, CancellationToken.None))!;
        var listed = await Store.TaskListAsync("alice", null, null, 10, 1 << 20, CancellationToken.None);

        Assert.Equal((VideoTaskStatus.Cancelled, url), (read.Status, read.CallbackUrl));
        Assert.Null((await Store.TaskGetAsync(without.Id, CancellationToken.None))!.CallbackUrl);
        Assert.Equal([null, url], listed.Select(t => t.CallbackUrl));
    }

    [Fact]
    public async Task TaskUpdate_FromAnOlderVersion_ChangesNothing()
    {
        var task = NewTask(1);
        await InsertAsync(task);

        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            Assert.True(await scope.TaskUpdateAsync(task with { Progress = 50, Version = 2 }, 1, CancellationToken.None));
            Assert.False(await scope.TaskUpdateAsync(task with { Progress = 70, Version = 2 }, 1, CancellationToken.None));
            await scope.CommitAsync(CancellationToken.None);
        }

        var stored = (await Store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None))!;
        Assert.Equal((50, 2L), (stored.Progress, stored.Version));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TaskUpdateWithEvent_StoresTheChangeAndItsEvent_AndFromAnOlderVersionNeither(bool onlyProgressMoved)
    {
        var task = NewTask(1, status: VideoTaskStatus.Running) with { UpstreamTaskId = "up-1", Progress = 10 };
        await InsertAsync(task);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);
        var later = Now.AddSeconds(3);
        var first = task with { Progress = 40, Version = 2, UpdatedAt = later };
        var stale = task with { Progress = 70, Version = 2, UpdatedAt = later };

        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            Assert.True(await scope.TaskUpdateWithEventAsync(first, 1, onlyProgressMoved, TaskJson.SerializeForLog(first), later, CancellationToken.None));

            // The same transaction wrote the row a moment ago: still no event for a change that did not land.
            Assert.False(await scope.TaskUpdateWithEventAsync(stale, 1, onlyProgressMoved, TaskJson.SerializeForLog(stale), later, CancellationToken.None));
            await scope.CommitAsync(CancellationToken.None);
        }

        var stored = (await Store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None))!;
        Assert.Equal((40, 2L, later), (stored.Progress, stored.Version, stored.UpdatedAt));
        var logged = Assert.Single(await Store.EventListAfterAsync(baseline, null, null, new EventPageSize(100, 1 << 20), CancellationToken.None));
        Assert.Equal((task.Id, "alice", later), (logged.TaskId, logged.UserId, logged.CreatedAt));
        Assert.Equal(TaskJson.SerializeForLog(first), logged.Payload);
    }

    [Fact]
    public async Task TaskInsertWithEventAndCommit_IsCommitted_AndDisposingTheScopeKeepsIt_AndTheStoreWritesOn()
    {
        var task = NewTask(1, images: ["data:image/png;base64,iVBO+w/0=="]);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);

        long sequence;
        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            sequence = await scope.TaskInsertWithEventAndCommitAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
        }

        Assert.Equal(TaskJson.Serialize(task), TaskJson.Serialize((await Store.TaskGetAsync(task.Id, CancellationToken.None))!));
        var logged = Assert.Single(await Store.EventListAfterAsync(baseline, null, null, new EventPageSize(100, 1 << 20), CancellationToken.None));
        Assert.Equal((sequence, task.Id), (logged.Sequence, logged.TaskId));

        // The connection it committed on serves the next scopes as usual, a rolled-back one included.
        var second = NewTask(2);
        var rolledBack = NewTask(3);
        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            await scope.TaskInsertAsync(rolledBack, CancellationToken.None);
        }

        await InsertAsync(second);
        Assert.NotNull(await Store.TaskGetAsync(second.Id, CancellationToken.None));
        Assert.Null(await Store.TaskGetAsync(rolledBack.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TaskUpdateWithEventAndCommit_CommitsALandedChange_AndALostOneLeavesNoTrace(bool landed)
    {
        var task = NewTask(1, status: VideoTaskStatus.Running) with { UpstreamTaskId = "up-1", Progress = 10 };
        await InsertAsync(task);
        var baseline = await Store.EventLastSequenceAsync(CancellationToken.None);
        var later = Now.AddSeconds(3);
        var next = task with { Progress = 40, Version = 2, UpdatedAt = later };

        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            var expectedVersion = landed ? 1 : 7; // 7: another change won meanwhile
            Assert.Equal(landed, await scope.TaskUpdateWithEventAndCommitAsync(
                next, expectedVersion, onlyProgressMoved: true, TaskJson.SerializeForLog(next), later, CancellationToken.None));
        }

        var stored = (await Store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None))!;
        var events = await Store.EventListAfterAsync(baseline, null, null, new EventPageSize(100, 1 << 20), CancellationToken.None);
        if (landed)
        {
            Assert.Equal((40, 2L), (stored.Progress, stored.Version));
            Assert.Equal(TaskJson.SerializeForLog(next), Assert.Single(events).Payload);
        }
        else
        {
            Assert.Equal((10, 1L), (stored.Progress, stored.Version));
            Assert.Empty(events);
        }

        // The store writes on.
        var second = NewTask(2);
        await InsertAsync(second);
        Assert.NotNull(await Store.TaskGetAsync(second.Id, CancellationToken.None));
    }

    [Fact]
    public async Task TaskUpdateProgress_StoresProgressVersionAndTime_AndFromAnOlderVersionChangesNothing()
    {
        var task = NewTask(1, status: VideoTaskStatus.Running) with { UpstreamTaskId = "up-1", Progress = 10 };
        await InsertAsync(task);
        var later = Now.AddSeconds(3);

        await using (var scope = await Store.BeginAsync(WriteDurability.Relaxed, CancellationToken.None))
        {
            Assert.True(await scope.TaskUpdateProgressAsync(task with { Progress = 40, Version = 2, UpdatedAt = later }, 1, CancellationToken.None));
            Assert.False(await scope.TaskUpdateProgressAsync(task with { Progress = 70, Version = 2, UpdatedAt = later }, 1, CancellationToken.None));
            await scope.CommitAsync(CancellationToken.None);
        }

        var stored = (await Store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None))!;
        Assert.Equal((40, 2L, later), (stored.Progress, stored.Version, stored.UpdatedAt));
        Assert.Equal((VideoTaskStatus.Running, "up-1", Now), (stored.Status, stored.UpstreamTaskId, stored.StartedAt));
        Assert.Equal(1, await Store.TaskCountRunningAsync("alice", null, CancellationToken.None)); // the indexes still find it
    }

    [Fact]
    public async Task Scope_DisposedWithoutCommit_LeavesNothing()
    {
        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            var task = NewTask(1);
            await scope.TaskInsertAsync(task, CancellationToken.None);
            await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
            Assert.Null(await scope.IdempotencyKeyClaimAsync("alice", "k", task.Id, Now, Now.AddDays(-1), CancellationToken.None));
        }

        Assert.Empty(await Store.TaskListAsync("alice", null, null, 10, 1 << 20, CancellationToken.None));
        Assert.Empty(await Store.EventListAfterAsync(0, null, null, Everything, CancellationToken.None));
        await using var next = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        Assert.Null(await next.IdempotencyKeyClaimAsync("alice", "k", "task_other", Now, Now.AddDays(-1), CancellationToken.None));
    }

    [Fact]
    public async Task TaskList_PagesByCursor_NewestFirst_EachOfTheUsersTasksOnce()
    {
        var alice = new List<VideoTask>();
        for (var i = 1; i <= 7; i++)
        {
            var task = NewTask(i, status: i % 2 == 0 ? VideoTaskStatus.Succeeded : VideoTaskStatus.Queued);
            alice.Add(task);
            await InsertAsync(task);
        }

        await InsertAsync(NewTask(8, userId: "bob"));

        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Store.TaskListAsync("alice", null, cursor, 3, 1 << 20, CancellationToken.None);
            paged.AddRange(page.Select(t => t.Id));
            cursor = page.Count == 3 ? page[^1].Id : null;
        }
        while (cursor is not null);

        var succeeded = await Store.TaskListAsync("alice", VideoTaskStatus.Succeeded, null, 10, 1 << 20, CancellationToken.None);

        Assert.Equal(alice.Select(t => t.Id).OrderDescending(StringComparer.Ordinal), paged);
        Assert.Equal(alice.Where(t => t.Status == VideoTaskStatus.Succeeded).Select(t => t.Id).OrderDescending(StringComparer.Ordinal), succeeded.Select(t => t.Id));
    }

    [Fact]
    public async Task TaskList_PagePassingTheImageBudget_StopsThere_ButAlwaysHoldsOneTask()
    {
        for (var i = 1; i <= 4; i++)
        {
            await InsertAsync(NewTask(i, images: ["data:image/png;base64," + new string('A', 1000)]));
        }

        var tiny = await Store.TaskListAsync("alice", null, null, 100, 1, CancellationToken.None);
        var two = await Store.TaskListAsync("alice", null, null, 100, 1500, CancellationToken.None);
        var all = await Store.TaskListAsync("alice", null, null, 100, 1 << 20, CancellationToken.None);

        Assert.Single(tiny);
        Assert.Equal(2, two.Count);
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Take(2).Select(t => t.Id), two.Select(t => t.Id));
    }

    [Fact]
    public async Task EventList_FiltersByUserAndTask_AndPagesWithinTheByteBudget()
    {
        var tasks = new List<VideoTask>();
        for (var i = 1; i <= 4; i++)
        {
            var task = NewTask(i, userId: i == 4 ? "bob" : "alice", images: ["data:image/png;base64," + new string('A', 1000)]);
            tasks.Add(task);
            await InsertAsync(task);
        }

        var all = await Store.EventListAfterAsync(0, null, null, Everything, CancellationToken.None);
        var alices = await Store.EventListAfterAsync(0, "alice", null, Everything, CancellationToken.None);
        var one = await Store.EventListAfterAsync(0, "alice", tasks[1].Id, Everything, CancellationToken.None);
        var after = await Store.EventListAfterAsync(all[1].Sequence, null, null, Everything, CancellationToken.None);
        var tiny = await Store.EventListAfterAsync(0, null, null, new EventPageSize(100, 1), CancellationToken.None);
        var two = await Store.EventListAfterAsync(0, null, null, new EventPageSize(100, 1500), CancellationToken.None);

        Assert.Equal(tasks.Select(t => t.Id), all.Select(e => e.TaskId));
        Assert.Equal(tasks.Select(TaskJson.Serialize), all.Select(e => e.Payload));
        Assert.Equal(all.Select(e => e.Sequence).Order(), all.Select(e => e.Sequence));
        Assert.Equal(3, alices.Count);
        Assert.Equal(tasks[1].Id, Assert.Single(one).TaskId);
        Assert.Equal(all.Skip(2).Select(e => e.Sequence), after.Select(e => e.Sequence));
        Assert.Single(tiny);
        Assert.Equal(2, two.Count);
        Assert.Equal(all[^1].Sequence, await Store.EventLastSequenceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task IdempotencyKey_HeldByATask_NamesIt_UntilItsRecordIsOlderThanTheWindow()
    {
        var first = NewTask(1);
        await using (var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None))
        {
            Assert.Null(await scope.IdempotencyKeyClaimAsync("alice", "key-1", first.Id, Now, Now.AddDays(-1), CancellationToken.None));
            await scope.TaskInsertAsync(first, CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
        }

        await using var again = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        Assert.Equal(first.Id, await again.IdempotencyKeyClaimAsync("alice", "key-1", "task_b", Now.AddHours(1), Now, CancellationToken.None));
        Assert.Null(await again.IdempotencyKeyClaimAsync("bob", "key-1", "task_c", Now.AddHours(1), Now, CancellationToken.None));
        Assert.Null(await again.IdempotencyKeyClaimAsync("alice", "key-1", "task_d", Now.AddDays(2), Now.AddDays(1), CancellationToken.None));
        Assert.Equal("task_d", await again.IdempotencyKeyClaimAsync("alice", "key-1", "task_e", Now.AddDays(2), Now.AddDays(1), CancellationToken.None));
    }

    [Fact]
    public async Task EraseKeptKeys_OnlyTasksEndedBeforeTheCutoffLoseTheirKey()
    {
        var endedLongAgo = NewTask(1, status: VideoTaskStatus.Cancelled) with { CompletedAt = Now.AddHours(-2), ProtectedApiKey = "kept-1" };
        var endedJustNow = NewTask(2, status: VideoTaskStatus.Failed) with { CompletedAt = Now.AddMinutes(-5), ProtectedApiKey = "kept-2" };
        var running = NewTask(3, status: VideoTaskStatus.Running) with { ProtectedApiKey = "in-use" };
        foreach (var task in new[] { endedLongAgo, endedJustNow, running })
        {
            await InsertAsync(task);
        }

        Assert.Equal(1, await Store.TaskEraseKeptKeysAsync(Now.AddHours(-1), CancellationToken.None));
        Assert.Equal(0, await Store.TaskEraseKeptKeysAsync(Now.AddHours(-1), CancellationToken.None));

        var erased = (await Store.TaskGetAsync(endedLongAgo.Id, CancellationToken.None))!;
        Assert.Null(erased.ProtectedApiKey);
        Assert.Equal(endedLongAgo.Version + 1, erased.Version);
        Assert.Equal("kept-2", (await Store.TaskGetAsync(endedJustNow.Id, CancellationToken.None))!.ProtectedApiKey);
        Assert.Equal("in-use", (await Store.TaskGetAsync(running.Id, CancellationToken.None))!.ProtectedApiKey);
    }

    [Fact]
    public async Task CountRunning_ByUserAndByProvider()
    {
        await InsertAsync(NewTask(1, status: VideoTaskStatus.Running));
        await InsertAsync(NewTask(2, status: VideoTaskStatus.Running, provider: "other"));
        await InsertAsync(NewTask(3, status: VideoTaskStatus.Running, userId: "bob"));
        await InsertAsync(NewTask(4, status: VideoTaskStatus.Queued));

        Assert.Equal(2, await Store.TaskCountRunningAsync("alice", null, CancellationToken.None));
        Assert.Equal(1, await Store.TaskCountRunningAsync(null, "other", CancellationToken.None));
        Assert.Equal(2, await Store.TaskCountRunningAsync(null, "simulator", CancellationToken.None));
        await using var scope = await Store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await scope.LockSlotsAsync("alice", "simulator", CancellationToken.None);
        Assert.Equal(2, await scope.TaskCountRunningAsync("alice", null, CancellationToken.None));
    }

    protected static VideoTask NewTask(
        int n, string userId = "alice", string provider = "simulator", VideoTaskStatus status = VideoTaskStatus.Queued, IReadOnlyList<string>? images = null) =>
        TestTasks.New(Now, n, userId, provider, status, images);

    protected Task InsertAsync(VideoTask task) => InsertAsync(Store, task);

    protected static async Task InsertAsync(ITaskStore store, VideoTask task)
    {
        await using var scope = await store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await scope.TaskInsertAsync(task, CancellationToken.None);
        await scope.EventAppendAsync(task, TaskJson.SerializeForLog(task), Now, CancellationToken.None);
        await scope.CommitAsync(CancellationToken.None);
    }
}
