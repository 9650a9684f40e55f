using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>The task store's event log keeps images once per task, and its reads are bounded in bytes.</summary>
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
