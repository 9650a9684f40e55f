using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>
/// How the SQLite task store lays tasks out: images once per task (written with it, never by its changes), apart
/// from the event log, and rows from before that layout read as before. What a task store reads back is the shared
/// contract (<see cref="SqliteTaskStoreContractTests"/>).
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
    public async Task TaskUpdate_TaskWithImages_LeavesTheOneImageRowAsItWas()
    {
        // Big enough to spill into overflow pages, as data: images do. (What reads back is in the shared contract.)
        var images = new[] { "data:image/png;base64," + new string('Q', 200_000) + "+/==", "https://img.example/a.png?x=1&y=2" };
        var task = NewTask(1, images);
        await InsertAsync(task, TaskJson.SerializeForLog(task));

        await using (var scope = await _store.BeginAsync(WriteDurability.Relaxed, CancellationToken.None))
        {
            var current = (await scope.TaskGetAsync(task.Id, CancellationToken.None))!;
            Assert.True(await scope.TaskUpdateAsync(current with { Progress = 50, Version = 2 }, 1, CancellationToken.None));
            await scope.CommitAsync(CancellationToken.None);
        }

        Assert.Equal((1L, (long)TaskJson.SerializeImages(images).Length), await ImageRowsAsync());
        Assert.Equal("[]", await ScalarTextAsync($"SELECT images FROM gq_tasks WHERE id = '{task.Id}';"));
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
