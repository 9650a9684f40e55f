using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Server.Testing;

/// <summary>What admin tests share: admin clients, and dead letters made on a running server.</summary>
public static class AdminApi
{
    /// <summary>The job kind of <see cref="FlakyJobs"/>.</summary>
    public const string FlakyKind = "test.flaky";

    /// <summary>The job kind that runs until <see cref="FlakyJobs.ReleaseBlocked"/>.</summary>
    public const string BlockingKind = "test.blocking";

    /// <summary>A client whose dev token carries the admin claim.</summary>
    public static async Task<HttpClient> CreateAdminClientAsync(this RunningServer server, string userId)
    {
        ArgumentNullException.ThrowIfNull(server);
        var client = server.CreateClient();
        using var response = await client.PostAsJsonAsync("api/v1/dev/token", new { user_id = userId, admin = true });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.RootElement.GetProperty("data").GetProperty("token").GetString());
        return client;
    }

    /// <summary>
    /// Makes a dead letter of <paramref name="kind"/> with <paramref name="args"/> directly in the server's store: the
    /// job is inserted for later (so no worker takes it), claimed by a node of the test's own and discarded with an
    /// error, as a worker whose last attempt failed would leave it.
    /// </summary>
    public static async Task<long> MakeDeadLetterAsync(this RunningServer server, string kind, string args, string queue = NewJob.DefaultQueue)
    {
        ArgumentNullException.ThrowIfNull(server);
        var store = server.Services.GetRequiredService<IJobStore>();
        var later = DateTimeOffset.UtcNow.AddDays(1);
        var inserted = await store.JobInsertManyAsync(
            [new JobInsertRow(kind, queue, args, 1, JobState.Scheduled, 1, later, DateTimeOffset.UtcNow, null, null)], null, CancellationToken.None);
        var id = inserted[0].Job.Id;
        var claimed = await store.JobClaimAsync(new JobClaimRequest("admin-test-node", 1, later.AddSeconds(1), later.AddHours(1), [new QueueLimit(queue, null)], null), CancellationToken.None);
        var job = Assert.Single(claimed);
        Assert.Equal(id, job.Id);
        var finalized = await store.JobFinalizeManyAsync(
            [new JobFinalization(id, "admin-test-node", job.Claims, JobState.Discarded, DateTimeOffset.UtcNow, null, [new JobError(1, DateTimeOffset.UtcNow, "made a dead letter by the test")], false)],
            CancellationToken.None);
        Assert.True(finalized[0].Applied);
        return id;
    }
}

/// <summary>
/// Jobs of kind <see cref="AdminApi.FlakyKind"/> on a running server: each fails while <see cref="Failing"/> is true
/// (with one attempt, so it becomes a dead letter at once) and completes once it is false, as a job whose downstream
/// was down and came back would. Jobs of kind <see cref="AdminApi.BlockingKind"/> hold their lease until released.
/// </summary>
public sealed class FlakyJobs
{
    private FlakyJobs(RunningServer server) => Server = server;

    public RunningServer Server { get; }

    public volatile bool Failing = true;

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets every blocking job complete.</summary>
    public void ReleaseBlocked() => _release.TrySetResult();

    /// <summary>Inserts a job that runs (holding its lease) until <see cref="ReleaseBlocked"/>.</summary>
    public async Task<long> InsertBlockingAsync() =>
        (await Server.Services.GetRequiredService<JobEngine>().InsertAsync(NewJob.Create(AdminApi.BlockingKind, new { }))).Job.Id;

    /// <summary>Registers the handler; call before any flaky job is inserted.</summary>
    public static FlakyJobs Register(RunningServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var flaky = new FlakyJobs(server);
        server.Services.GetRequiredService<JobHandlerRegistry>().Add(AdminApi.FlakyKind, (_, _) =>
            Task.FromResult(flaky.Failing ? JobOutcome.Failed("the downstream is down") : JobOutcome.Completed));
        server.Services.GetRequiredService<JobHandlerRegistry>().Add(AdminApi.BlockingKind, async (_, cancellationToken) =>
        {
            await flaky._release.Task.WaitAsync(cancellationToken);
            return JobOutcome.Completed;
        });
        return flaky;
    }

    /// <summary>Inserts a flaky job with one attempt and waits until it is a dead letter.</summary>
    public async Task<long> InsertDeadLetterAsync(string label)
    {
        var engine = Server.Services.GetRequiredService<JobEngine>();
        var inserted = await engine.InsertAsync(NewJob.Create(AdminApi.FlakyKind, new { label }) with { MaxAttempts = 1 });
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await engine.GetAsync(inserted.Job.Id))?.State != JobState.Discarded)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Flaky job {inserted.Job.Id} never became a dead letter.");
            await Task.Delay(50);
        }

        return inserted.Job.Id;
    }
}
