using System.Globalization;
using GridQueue.Server.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// Tasks over the per-user limit wait in line: without a job, so waiting costs the database nothing, and a freed
/// slot goes to the oldest waiting task.
/// </summary>
public sealed class WaitingLineTests(ITestOutputHelper output)
{
    private const int TaskCount = 300;
    private const int Limit = 2;

    [Fact]
    public async Task ThreeHundredOverALimitOfTwo_WaitWithoutWritesAndStartInCreationOrder()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tasks:MaxRunningPerUser"] = Limit.ToString(CultureInfo.InvariantCulture),

            // Running tasks stay running (their first poll is a minute away): only a cancel frees a slot.
            ["Tasks:PollInterval"] = "00:01:00",
            ["Providers:Simulator:Duration"] = "00:10:00",

            // The sweeper looks often, to show that its looking writes nothing either.
            ["Tasks:SweepInterval"] = "00:00:00.300",
        });
        using var alice = await server.CreateClientAsync("line-alice");
        var ids = new List<string>();
        for (var i = 0; i < TaskCount; i++)
        {
            ids.Add((await alice.GenerateAsync(TaskApi.Body($"line {i:D3}"))).Id());
        }

        var database = Path.Combine(server.Folder, "gridqueue.db");
        await using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await reader.OpenAsync();

        // Settled: the two oldest run, every other task waits with no job, and no submit job is left to claim.
        await EventuallyAsync(async () =>
            await RunningAsync(reader) is [var a, var b] && a == ids[0] && b == ids[1]
            && await ScalarAsync(reader, "SELECT COUNT(*) FROM gq_tasks WHERE status = 'queued' AND job_id IS NULL") == TaskCount - Limit
            && await ScalarAsync(reader, "SELECT COUNT(*) FROM gq_jobs WHERE kind = 'video.submit' AND state IN ('available', 'scheduled', 'running', 'retryable')") == 0);

        // Waiting costs nothing: no commit touches the database for three seconds (ten sweeps).
        var before = await ScalarAsync(reader, "PRAGMA data_version");
        var claimedBefore = await ScalarAsync(reader, "SELECT COALESCE(SUM(claims), 0) FROM gq_jobs");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(before, await ScalarAsync(reader, "PRAGMA data_version"));
        Assert.Equal(claimedBefore, await ScalarAsync(reader, "SELECT COALESCE(SUM(claims), 0) FROM gq_jobs"));

        // Each freed slot goes to the oldest waiting task: cancel the older running task, the next in line starts.
        for (var k = 0; k + Limit < TaskCount; k++)
        {
            var (status, envelope) = await alice.PostEnvelopeAsync($"api/v1/video/cancel/{ids[k]}");
            Assert.True(status == System.Net.HttpStatusCode.OK, $"cancel answered {(int)status}: {envelope}");
            var expected = new[] { ids[k + 1], ids[k + 2] };
            await EventuallyAsync(async () => (await RunningAsync(reader)).SequenceEqual(expected));
        }

        var order = await StartOrderAsync(reader);
        Assert.Equal(ids, order);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{TaskCount} tasks, limit {Limit}: no write while waiting; started in creation order."));
    }

    private static async Task<List<string>> RunningAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM gq_tasks WHERE status = 'running' ORDER BY id";
        var ids = new List<string>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            ids.Add(rows.GetString(0));
        }

        return ids;
    }

    private static async Task<List<string>> StartOrderAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM gq_tasks WHERE started_at IS NOT NULL ORDER BY started_at, id";
        var ids = new List<string>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            ids.Add(rows.GetString(0));
        }

        return ids;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
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
