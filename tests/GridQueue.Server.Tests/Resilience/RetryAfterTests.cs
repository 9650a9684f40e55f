using System.Globalization;
using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// An upstream's Retry-After never outlives the task: with a one-minute deadline, a <c>Retry-After: 3600</c> and one
/// dated in year 9999, met at submit and at poll, end the task at its deadline, with no exception and no job left
/// running (no lease renewed) past it.
/// </summary>
public sealed class RetryAfterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private readonly OwnedResources _owned = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _owned.DisposeAsync();

    [Fact]
    public async Task HourLongAndYear9999RetryAfter_OnSubmitAndOnPoll_TasksEndAtTheDeadline()
    {
        // Both forms at once, each on its own upstream and server, so the test waits for one deadline.
        var runs = await Task.WhenAll(
            RunAsync(new SimulatorFaults { RateLimitRetryAfterSeconds = 3600, RateLimitBurstEvery = TimeSpan.FromHours(1), RateLimitBurstLength = TimeSpan.FromHours(1) }, "seconds"),
            RunAsync(new SimulatorFaults { RateLimitRetryAfterHttpDate = "Fri, 31 Dec 9999 23:59:59 GMT", RateLimitBurstEvery = TimeSpan.FromHours(1), RateLimitBurstLength = TimeSpan.FromHours(1) }, "date"));
        foreach (var line in runs)
        {
            output.WriteLine(line);
        }
    }

    private async Task<string> RunAsync(SimulatorFaults refusing, string form)
    {
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromMinutes(10) });
        _owned.Add(simulator);
        var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Default"] = "t8star",
            ["Providers:T8Star:BaseUrl"] = simulator.BaseAddress.ToString(),
            ["Providers:T8Star:ApiKey"] = SimulatorOptions.DefaultApiKey,
            ["Tasks:Deadline"] = "00:01:00",
            ["Tasks:SweepInterval"] = "00:00:01",
        });
        _owned.Add(server);
        using var client = await server.CreateClientAsync($"retry-after-{form}");

        // One task is accepted upstream first; from then on every request is refused with the long Retry-After,
        // so its polls meet it, and so does the submit of a second task.
        var polled = (await client.GenerateAsync(TaskApi.Body($"poll {form} {_runTag}"))).Id();
        await client.WaitAsync(polled, t => t.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String);
        simulator.Faults = refusing;
        var submitted = (await client.GenerateAsync(TaskApi.Body($"submit {form} {_runTag}"))).Id();

        var lines = new List<string>();
        foreach (var (id, phase) in new[] { (polled, "poll"), (submitted, "submit") })
        {
            var ended = await client.WaitAsync(id, t => t.IsTerminal(), Deadline + TimeSpan.FromSeconds(20));
            Assert.True(ended.Status() == "failed", ended.ToString());
            Assert.Contains("did not finish within 1 min", ended.GetProperty("error_message").GetString(), StringComparison.Ordinal);
            var started = await StartedAtAsync(server, id);
            var completed = DateTimeOffset.Parse(ended.GetProperty("completed_at").GetString()!, CultureInfo.InvariantCulture);
            var took = completed - started;
            Assert.True(took >= Deadline && took <= Deadline + TimeSpan.FromSeconds(5), $"{phase}: ended {took} after it started: {ended}");
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Retry-After as {form} at {phase}: failed {took.TotalSeconds:0.0} s after starting (deadline {Deadline.TotalSeconds:0} s)."));
        }

        Assert.Equal(1, simulator.State.SubmissionsByPrompt().GetValueOrDefault($"poll {form} {_runTag}"));
        Assert.Equal(0, simulator.State.SubmissionsByPrompt().GetValueOrDefault($"submit {form} {_runTag}"));
        Assert.Empty(server.ErrorLog.Errors);

        // The job that ended a task stores its own outcome just after that change commits (outcomes are written behind
        // the handlers), so it may still read as running for a moment; one left running past that holds its lease.
        var settle = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        long running;
        while ((running = await RunningJobsAsync(server)) > 0 && DateTime.UtcNow < settle)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, running);
        return string.Join(Environment.NewLine, lines);
    }

    private static async Task<DateTimeOffset> StartedAtAsync(RunningServer server, string taskId)
    {
        await using var connection = await OpenAsync(server);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT started_at FROM gq_tasks WHERE id = @id";
        command.Parameters.AddWithValue("@id", taskId);
        return DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture));
    }

    /// <summary>Jobs held under a lease right now: none may be left once the tasks ended.</summary>
    private static async Task<long> RunningJobsAsync(RunningServer server)
    {
        await using var connection = await OpenAsync(server);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM gq_jobs WHERE state = 'running' AND kind <> 'video.cancel_upstream'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<SqliteConnection> OpenAsync(RunningServer server)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(server.Folder, "gridqueue.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}
