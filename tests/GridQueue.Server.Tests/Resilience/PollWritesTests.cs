using System.Globalization;
using System.Text.Json;
using GridQueue.Server.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// A poll whose answer changes nothing a client can see (same status, same progress) writes no task row version and
/// no event; a poll that does change something writes exactly one of each. Read from the database's rows.
/// </summary>
public sealed class PollWritesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PollsWithSameProgress_WriteNothing_AndEachProgressStepWritesOneVersionAndOneEvent()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            // About ten polls per percent of progress (0.6 s) (the built-in simulator reports whole percent of its run time).
            ["Tasks:PollInterval"] = "00:00:00.050",
            ["Providers:Simulator:Duration"] = "00:01:00",
        });
        using var alice = await server.CreateClientAsync("poll-writes-alice");
        var id = (await alice.GenerateAsync(TaskApi.Body("poll writes"))).Id();

        var database = Path.Combine(server.Folder, "gridqueue.db");
        await using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await reader.OpenAsync();

        // Running, with a first progress stored.
        await EventuallyAsync(async () => (await ReadAsync(reader, id)).Progress > 0);
        var first = await ReadAsync(reader, id);

        // Many polls later: at most one version and one event per percent the progress moved, none for the rest.
        await EventuallyAsync(async () => (await ReadAsync(reader, id)).PollRuns >= first.PollRuns + 10);
        var second = await ReadAsync(reader, id);
        var polls = second.PollRuns - first.PollRuns;
        var versions = second.Version - first.Version;
        var events = second.Events - first.Events;
        var steps = second.Progress - first.Progress;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{polls} polls, progress {first.Progress} -> {second.Progress}: {versions} row versions, {events} events"));
        Assert.Equal(versions, events);
        Assert.True(versions <= steps, $"{polls} polls wrote {versions} versions for {steps} progress steps");

        // A poll that sees more progress still writes it: one more version, one more event, carrying the new value.
        await EventuallyAsync(async () => (await ReadAsync(reader, id)).Progress > second.Progress);
        var third = await ReadAsync(reader, id);
        Assert.Equal(third.Version - second.Version, third.Events - second.Events);
        Assert.InRange(third.Version - second.Version, 1, third.Progress - second.Progress);
        using var payload = JsonDocument.Parse(await LastPayloadAsync(reader, id));
        Assert.Equal(third.Progress, payload.RootElement.GetProperty("progress").GetInt64());
    }

    private sealed record Snapshot(long Version, long Progress, long Events, long PollRuns);

    private static async Task<Snapshot> ReadAsync(SqliteConnection connection, string taskId)
    {
        // One statement, so the row, its events and the poll job's runs are read at one moment.
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT t.version, t.progress,
                   (SELECT COUNT(*) FROM gq_task_events e WHERE e.task_id = t.id),
                   (SELECT COALESCE(SUM(j.claims), 0) FROM gq_jobs j WHERE j.kind = 'video.poll' AND j.args LIKE '%' || t.id || '%')
            FROM gq_tasks t WHERE t.id = @id
            """;
        command.Parameters.AddWithValue("@id", taskId);
        await using var row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync(), $"task {taskId} not found");
        return new Snapshot(row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3));
    }

    private static async Task<string> LastPayloadAsync(SqliteConnection connection, string taskId)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM gq_task_events WHERE task_id = @id ORDER BY seq DESC LIMIT 1";
        command.Parameters.AddWithValue("@id", taskId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(10);
        }
    }
}
