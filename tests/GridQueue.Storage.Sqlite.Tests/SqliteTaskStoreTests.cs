using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>
/// The task store keeps images once per task (written with it, never by its changes), reads them only where clients
/// see them, and bounds its reads in bytes.
/// </summary>
public sealed class SqliteTaskStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();
    private SqliteTaskStore _store = null!;

    public async Task InitializeAsync()
    {
        var jobs = _database.OpenStore();
        await jobs.MigrateAsync(CancellationToken.None);
        _store = new SqliteTaskStore(jobs);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _database.DeleteAsync();
    }

    [Fact]
    public async Task EventList_TaskWithImages_StoresThemOnceAndReadsBackTheWholeTask()
    {
        var task = NewTask(1, ["data:image/png;base64,iVBO+w/0==", "https://img.example/a.png?x=1&y=2"]);
        await InsertAsync(task, TaskJson.SerializeForLog(task));

        var stored = await PayloadsAsync();
        var read = await _store.EventListAfterAsync(0, "alice", null, new EventPageSize(100, 1 << 20), CancellationToken.None);

        Assert.DoesNotContain("iVBO", Assert.Single(stored), StringComparison.Ordinal);
        Assert.Equal(TaskJson.Serialize(task), Assert.Single(read).Payload);
    }

    [Fact]
    public async Task EventList_RowLoggedWithItsImages_IsReadUnchanged()
    {
        // Rows written before images were kept apart carry them; they must read as they were written.
        var task = NewTask(1, ["https://img.example/a.png"]);
        await InsertAsync(task, TaskJson.Serialize(task));

        var read = await _store.EventListAfterAsync(0, null, null, new EventPageSize(100, 1 << 20), CancellationToken.None);

        Assert.Equal(TaskJson.Serialize(task), Assert.Single(read).Payload);
    }

    [Fact]
    public async Task EventList_PagePassingTheByteBudget_StopsThere_ButAlwaysHoldsOneEvent()
    {
        for (var i = 1; i <= 4; i++)
        {
            var task = NewTask(i, ["data:image/png;base64," + new string('A', 1000)]);
            await InsertAsync(task, TaskJson.SerializeForLog(task));
        }

        var tiny = await _store.EventListAfterAsync(0, null, null, new EventPageSize(100, 1), CancellationToken.None);
        var two = await _store.EventListAfterAsync(0, null, null, new EventPageSize(100, 1500), CancellationToken.None);
        var all = await _store.EventListAfterAsync(0, "alice", null, new EventPageSize(100, 1 << 20), CancellationToken.None);

        Assert.Single(tiny);
        Assert.Equal(2, two.Count);
        Assert.True(new EventPageSize(100, 1500).IsFull(two));
        Assert.Equal(4, all.Count);
        Assert.False(new EventPageSize(100, 1 << 20).IsFull(all));
    }

    [Fact]
    public async Task TaskList_PagePassingTheImageBudget_StopsThere_ButAlwaysHoldsOneTask()
    {
        for (var i = 1; i <= 4; i++)
        {
            var task = NewTask(i, ["data:image/png;base64," + new string('A', 1000)]);
            await InsertAsync(task, TaskJson.SerializeForLog(task));
        }

        var tiny = await _store.TaskListAsync("alice", null, null, 100, 1, CancellationToken.None);
        var two = await _store.TaskListAsync("alice", null, null, 100, 1500, CancellationToken.None);
        var all = await _store.TaskListAsync("alice", null, null, 100, 1 << 20, CancellationToken.None);

        Assert.Single(tiny);
        Assert.Equal(2, two.Count);
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Take(2).Select(t => t.Id), two.Select(t => t.Id));
    }

    [Fact]
    public async Task TaskUpdate_TaskWithImages_KeepsOneCopy_ScopeReadsWithoutThem_StoreReadsWithThem()
    {
        // Big enough to spill into overflow pages, as data: images do.
        var images = new[] { "data:image/png;base64," + new string('Q', 200_000) + "+/==", "https://img.example/a.png?x=1&y=2" };
        var task = NewTask(1, images);
        await InsertAsync(task, TaskJson.SerializeForLog(task));

        for (var progress = 10; progress <= 100; progress += 10)
        {
            await using var scope = await _store.BeginAsync(WriteDurability.Relaxed, CancellationToken.None);
            var current = (await scope.TaskGetAsync(task.Id, CancellationToken.None))!;
            Assert.False(current.ImagesLoaded);
            Assert.Empty(current.Images);
            var next = current with { Progress = progress, Version = current.Version + 1 };
            Assert.True(await scope.TaskUpdateAsync(next, current.Version, CancellationToken.None));
            await scope.EventAppendAsync(next, TaskJson.SerializeForLog(next), Now, CancellationToken.None);
            await scope.CommitAsync(CancellationToken.None);
        }

        var (rows, chars) = await ImageRowsAsync();
        var light = (await _store.TaskGetWithoutImagesAsync(task.Id, CancellationToken.None))!;
        var full = (await _store.TaskGetAsync(task.Id, CancellationToken.None))!;
        var events = await _store.EventListAfterAsync(0, "alice", task.Id, new EventPageSize(100, 1 << 30), CancellationToken.None);

        Assert.Equal(1, rows);
        Assert.Equal(TaskJson.SerializeImages(images).Length, chars);
        Assert.Equal("[]", await ScalarTextAsync($"SELECT images FROM gq_tasks WHERE id = '{task.Id}';"));
        Assert.Equal((100, 11L, false), (light.Progress, light.Version, light.ImagesLoaded));
        Assert.Empty(light.Images);
        Assert.Throws<InvalidOperationException>(() => TaskJson.Serialize(light));
        Assert.True(full.ImagesLoaded);
        Assert.Equal(images, full.Images);
        Assert.Equal(light, full with { Images = light.Images, ImagesLoaded = false });
        Assert.Equal(images, await _store.TaskImagesGetAsync(task.Id, CancellationToken.None));
        Assert.Equal(11, events.Count);
        Assert.Equal(TaskJson.Serialize(full), events[^1].Payload);
    }

    [Fact]
    public async Task TaskInsert_TaskWithoutImages_WritesNoImageRow_AndReadsBackEmptyImages()
    {
        var task = NewTask(1, []);
        await InsertAsync(task, TaskJson.SerializeForLog(task));

        var full = (await _store.TaskGetAsync(task.Id, CancellationToken.None))!;

        Assert.Equal((0L, 0L), await ImageRowsAsync());
        Assert.True(full.ImagesLoaded);
        Assert.Empty(full.Images);
        Assert.Equal(TaskJson.Serialize(task), TaskJson.Serialize(full));
    }

    [Fact]
    public async Task Migration004_ImagesInTheTaskRow_AreMovedToTheirOwnTable_AndReadAsBefore()
    {
        // A database as migration 003 left it: images in gq_tasks, events logged without them.
        var images = new[] { "data:image/png;base64,iVBO+w/0==", "https://img.example/a.png?x=1&y=2" };
        var withImages = NewTask(1, images);
        var without = NewTask(2, []);
        await InsertAsync(withImages, TaskJson.SerializeForLog(withImages));
        await InsertAsync(without, TaskJson.SerializeForLog(without));
        await ExecuteAsync(
            "DROP TABLE gq_task_images;",
            "DELETE FROM gq_migrations WHERE version = 4;",
            $"UPDATE gq_tasks SET images = '{TaskJson.SerializeImages(images)}' WHERE id = '{withImages.Id}';");

        var jobs = _database.OpenStore();
        await jobs.MigrateAsync(CancellationToken.None);

        Assert.Equal((1L, (long)TaskJson.SerializeImages(images).Length), await ImageRowsAsync());
        Assert.Equal("[]", await ScalarTextAsync($"SELECT images FROM gq_tasks WHERE id = '{withImages.Id}';"));
        Assert.Equal(images, (await _store.TaskGetAsync(withImages.Id, CancellationToken.None))!.Images);
        var read = await _store.EventListAfterAsync(0, "alice", null, new EventPageSize(100, 1 << 20), CancellationToken.None);
        Assert.Equal(new[] { TaskJson.Serialize(withImages), TaskJson.Serialize(without) }, read.Select(e => e.Payload));
    }

    [Fact]
    public async Task EraseKeptKeys_OnlyTasksEndedBeforeTheCutoffLoseTheirKey()
    {
        var endedLongAgo = NewTask(1, []) with { Status = VideoTaskStatus.Cancelled, CompletedAt = Now.AddHours(-2), ProtectedApiKey = "kept-1" };
        var endedJustNow = NewTask(2, []) with { Status = VideoTaskStatus.Failed, CompletedAt = Now.AddMinutes(-5), ProtectedApiKey = "kept-2" };
        var running = NewTask(3, []) with { Status = VideoTaskStatus.Running, ProtectedApiKey = "in-use" };
        foreach (var task in new[] { endedLongAgo, endedJustNow, running })
        {
            await InsertAsync(task, TaskJson.SerializeForLog(task));
        }

        Assert.Equal(1, await _store.TaskEraseKeptKeysAsync(Now.AddHours(-1), CancellationToken.None));
        Assert.Equal(0, await _store.TaskEraseKeptKeysAsync(Now.AddHours(-1), CancellationToken.None));

        var erased = (await _store.TaskGetAsync(endedLongAgo.Id, CancellationToken.None))!;
        Assert.Null(erased.ProtectedApiKey);
        Assert.Equal(endedLongAgo.Version + 1, erased.Version);
        Assert.Equal("kept-2", (await _store.TaskGetAsync(endedJustNow.Id, CancellationToken.None))!.ProtectedApiKey);
        Assert.Equal("in-use", (await _store.TaskGetAsync(running.Id, CancellationToken.None))!.ProtectedApiKey);
    }

    private static VideoTask NewTask(int n, IReadOnlyList<string> images) => new()
    {
        Id = TaskIds.New(Now.AddSeconds(n)),
        UserId = "alice",
        Provider = "simulator",
        Model = "sora-2",
        Prompt = $"kite {n}",
        AspectRatio = "16:9",
        Duration = 10,
        Hd = false,
        Images = images,
        Status = VideoTaskStatus.Queued,
        CreatedAt = Now,
        UpdatedAt = Now,
        Version = 1,
    };

    private async Task InsertAsync(VideoTask task, string payload)
    {
        await using var scope = await _store.BeginAsync(WriteDurability.Durable, CancellationToken.None);
        await scope.TaskInsertAsync(task, CancellationToken.None);
        await scope.EventAppendAsync(task, payload, Now, CancellationToken.None);
        await scope.CommitAsync(CancellationToken.None);
    }

    /// <summary>Rows of gq_task_images and the characters they hold.</summary>
    private async Task<(long Rows, long Chars)> ImageRowsAsync()
    {
        await using var connection = new SqliteConnection(_database.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(length(images)), 0) FROM gq_task_images;";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<string> ScalarTextAsync(string sql)
    {
        await using var connection = new SqliteConnection(_database.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(params string[] statements)
    {
        await using var connection = new SqliteConnection(_database.Options.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task<List<string>> PayloadsAsync()
    {
        await using var connection = new SqliteConnection(_database.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM gq_task_events ORDER BY seq;";
        var payloads = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            payloads.Add(reader.GetString(0));
        }

        return payloads;
    }
}
