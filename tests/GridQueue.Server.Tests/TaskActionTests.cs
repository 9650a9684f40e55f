using System.Net;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>Cancel, retry and idempotency through the real server.</summary>
public sealed class TaskActionTests
{
    [Fact]
    public async Task Cancel_QueuedTask_IsCancelledAndNeverRuns()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tasks:MaxRunningPerUser"] = "1",
            ["Providers:Simulator:Duration"] = "00:00:01",
        });
        using var client = await server.CreateClientAsync("alice");
        var running = await client.GenerateAsync(TaskApi.Body("first"));
        await client.WaitForStatusAsync(running.Id(), "running");
        var queued = await client.GenerateAsync(TaskApi.Body("second"));

        var (status, envelope) = await client.PostEnvelopeAsync($"api/v1/video/cancel/{queued.Id()}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", envelope.GetProperty("data").Status());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, envelope.GetProperty("data").GetProperty("completed_at").ValueKind);

        // The slot frees up when the first task ends; the cancelled one must not start then.
        await client.WaitForStatusAsync(running.Id(), "succeeded");
        await Task.Delay(1500);
        var after = await client.StatusAsync(queued.Id());
        Assert.Equal("cancelled", after.Status());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.GetProperty("upstream_task_id").ValueKind);

        var (again, twice) = await client.PostEnvelopeAsync($"api/v1/video/cancel/{queued.Id()}");
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal("cancelled", twice.GetProperty("data").Status());
    }

    [Fact]
    public async Task Cancel_RunningTask_StopsPollingAndStaysCancelled()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = "00:00:06" });
        using var client = await server.CreateClientAsync("alice");
        var task = await client.GenerateAsync(TaskApi.Body());
        await client.WaitAsync(task.Id(), t => t.GetProperty("progress").GetInt32() > 0);

        var (status, envelope) = await client.PostEnvelopeAsync($"api/v1/video/cancel/{task.Id()}");
        Assert.Equal(HttpStatusCode.OK, status);
        var cancelled = envelope.GetProperty("data");
        Assert.Equal("cancelled", cancelled.Status());

        await Task.Delay(1000); // several poll intervals
        var later = await client.StatusAsync(task.Id());
        Assert.Equal(cancelled.ToString(), later.ToString());

        var (retryStatus, retryEnvelope) = await client.PostEnvelopeAsync($"api/v1/video/retry/{task.Id()}");
        Assert.Equal(HttpStatusCode.BadRequest, retryStatus);
        Assert.Equal("BAD_REQUEST", retryEnvelope.ErrorCode());
    }

    [Fact]
    public async Task Cancel_WhenStoppingTheJobFailsAfterTheCommit_Answers200WithTheCancelledTask()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = "00:00:30" });
        using var client = await server.CreateClientAsync("alice");
        var task = await client.GenerateAsync(TaskApi.Body());
        await client.WaitAsync(task.Id(), t => t.GetProperty("progress").GetInt32() > 0);

        // From here the database refuses to mark a job cancelled (or to request its cancel while it runs), as a busy
        // database would refuse the job store's write. The task's own change (table gq_tasks) still commits.
        await ExecuteSqlAsync(server, """
            CREATE TRIGGER test_job_cancel_refused BEFORE UPDATE ON gq_jobs
            WHEN NEW.state = 'cancelled' OR (NEW.cancel_requested_at IS NOT NULL AND OLD.cancel_requested_at IS NULL)
            BEGIN SELECT RAISE(ABORT, 'test: the job store refused the cancel'); END;
            """);
        HttpStatusCode status;
        System.Text.Json.JsonElement envelope;
        try
        {
            (status, envelope) = await client.PostEnvelopeAsync($"api/v1/video/cancel/{task.Id()}");
        }
        finally
        {
            await ExecuteSqlAsync(server, "DROP TRIGGER test_job_cancel_refused;");
        }

        Assert.True(status == HttpStatusCode.OK, $"cancel answered {(int)status}: {envelope}");
        var cancelled = envelope.GetProperty("data");
        Assert.Equal("cancelled", cancelled.Status());
        Assert.Contains(server.ErrorLog.All, e => e.Contains($"Task {task.Id()}: cancelled, but stopping its job", StringComparison.Ordinal)
            && e.Contains("test: the job store refused the cancel", StringComparison.Ordinal));

        // The job was not stopped early: its next poll finds the task cancelled and ends without changing it.
        await Task.Delay(1000); // several poll intervals
        Assert.Equal(cancelled.ToString(), (await client.StatusAsync(task.Id())).ToString());
        server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Cancel_RacingUpstreamCompletion_NeverEndsCancelledThenSucceeded()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Simulator:Duration"] = "00:00:01",
            ["Tasks:PollInterval"] = "00:00:00.050",
            ["Tasks:MaxRunningPerUser"] = "0",
        });
        using var client = await server.CreateClientAsync("racer");
        await using var stream = await SseClient.ConnectAsync(server.Address, await server.TokenAsync("racer"));
        var tasks = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            tasks.Add((await client.GenerateAsync(TaskApi.Body($"race {i}"))).Id());
        }

        // Each task is cancelled once the stream shows it past its own threshold (50 % to 96 %), so the cancels
        // spread across the moment the upstream reports success; some land before it, some race it.
        var thresholds = tasks.Select((id, i) => (id, at: 50 + (i * 2))).ToDictionary(x => x.id, x => x.at);
        var cancels = new List<Task<(string id, (HttpStatusCode Status, System.Text.Json.JsonElement Envelope))>>();
        var seen = new List<SseEvent>();
        var ended = new HashSet<string>();
        while (ended.Count < tasks.Count)
        {
            var e = await stream.NextAsync();
            seen.Add(e);
            var id = e.Data.Id();
            if (e.Data.IsTerminal())
            {
                ended.Add(id);
            }

            if (thresholds.TryGetValue(id, out var at) && (e.Data.GetProperty("progress").GetInt32() >= at || e.Data.IsTerminal()))
            {
                thresholds.Remove(id);
                cancels.Add(Task.Run(async () => (id, await client.PostEnvelopeAsync($"api/v1/video/cancel/{id}"))));
            }
        }

        var answers = await Task.WhenAll(cancels);
        var cancelledByUs = answers.Where(a => a.Item2.Status == HttpStatusCode.OK).Select(a => a.id).ToHashSet();
        Assert.All(answers.Where(a => a.Item2.Status != HttpStatusCode.OK), a => Assert.Equal("BAD_REQUEST", a.Item2.Envelope.ErrorCode()));
        await Task.Delay(1500); // every poll that was in flight has answered by now
        foreach (var id in tasks)
        {
            var task = await client.StatusAsync(id);
            Assert.Equal(cancelledByUs.Contains(id) ? "cancelled" : "succeeded", task.Status());
        }

        var events = seen.Concat(stream.Drain()).ToList();
        foreach (var id in tasks)
        {
            var statuses = events.Where(e => e.Data.Id() == id).Select(e => e.Data.Status()).ToList();
            var firstTerminal = statuses.FindIndex(s => s is "cancelled" or "succeeded" or "failed");
            Assert.True(firstTerminal >= 0, $"task {id} reported no end");
            Assert.Equal(firstTerminal, statuses.Count - 1); // nothing after the end
        }

        Assert.NotEmpty(cancelledByUs);
    }

    [Fact]
    public async Task Retry_FailedTask_QueuesANewAttemptThatRunsAgain()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        using var client = await server.CreateClientAsync("alice");
        var task = await client.GenerateAsync(TaskApi.Body());
        var failed = await client.WaitForStatusAsync(task.Id(), "failed");
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("error_message").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, failed.GetProperty("video_url").ValueKind);

        var (status, envelope) = await client.PostEnvelopeAsync($"api/v1/video/retry/{task.Id()}");
        Assert.Equal(HttpStatusCode.OK, status);
        var retried = envelope.GetProperty("data");
        Assert.Equal("queued", retried.Status());
        Assert.Equal(2, retried.GetProperty("attempt").GetInt32());
        Assert.Equal(0, retried.GetProperty("progress").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, retried.GetProperty("error_message").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, retried.GetProperty("completed_at").ValueKind);

        var second = await client.WaitAsync(task.Id(), t => t.IsTerminal() && t.GetProperty("attempt").GetInt32() == 2);
        Assert.Equal("failed", second.Status());
        Assert.NotEqual(failed.GetProperty("upstream_task_id").GetString(), second.GetProperty("upstream_task_id").GetString());
    }

    [Fact]
    public async Task Retry_TaskMadeWithOwnApiKey_NeedsTheKeyAgain()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:FailureRate"] = "1" });
        using var client = await server.CreateClientAsync("alice");
        var task = await client.GenerateAsync(TaskApi.Body(), new Dictionary<string, string> { ["X-User-Api-Key"] = "user-secret-key" });
        Assert.DoesNotContain("user-secret-key", task.ToString(), StringComparison.Ordinal);
        await client.WaitForStatusAsync(task.Id(), "failed");

        var (without, error) = await client.PostEnvelopeAsync($"api/v1/video/retry/{task.Id()}");
        Assert.Equal(HttpStatusCode.BadRequest, without);
        Assert.Equal("VALIDATION_ERROR", error.ErrorCode());

        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/retry/{task.Id()}");
        request.Headers.Add("X-User-Api-Key", "user-secret-key");
        var (with, envelope) = await client.SendEnvelopeAsync(request);
        Assert.Equal(HttpStatusCode.OK, with);
        Assert.Equal("queued", envelope.GetProperty("data").Status());
    }

    [Fact]
    public async Task Generate_SameIdempotencyKey_ReturnsTheSameTask()
    {
        await using var server = await RunningServer.StartAsync();
        using var alice = await server.CreateClientAsync("alice");
        using var bob = await server.CreateClientAsync("bob");
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "order-42" };

        var first = await alice.GenerateAsync(TaskApi.Body(), key);
        var second = await alice.GenerateAsync(TaskApi.Body("a different prompt"), key);
        var bobs = await bob.GenerateAsync(TaskApi.Body(), key);

        Assert.Equal(first.Id(), second.Id());
        Assert.NotEqual(first.Id(), bobs.Id());
        var (_, list) = await alice.GetEnvelopeAsync("api/v1/video/tasks");
        Assert.Single(list.GetProperty("data").GetProperty("items").EnumerateArray());
    }

    private static async Task ExecuteSqlAsync(RunningServer server, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.Folder, "gridqueue.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
