using System.Globalization;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Sqlite;

// Usage: GridQueue.TestWorker --db FILE --runs-log FILE [--workers N] [--job-ms N] [--lease-ms N] [--exit-when-empty]
//                              [--hold-outcomes FILE]
// Runs an engine whose "sleep" handler appends "job-id attempt pid" to the runs log (one write per line, flushed,
// so a SIGKILL leaves whole lines), then sleeps job-ms. Prints "ready" once the engine runs.
// With --hold-outcomes, the engine's outcome writes never reach the database: each batch the engine hands to the
// store appends its job ids to FILE and then waits forever, like a process killed between a handler's return and
// the batch that would have stored its outcome.
var settings = WorkerSettings.Parse(args);
var sqlite = new SqliteJobStore(new SqliteStorageOptions { ConnectionString = $"Data Source={settings.Database}" });
IJobStore store = settings.HeldOutcomesLog is { } heldLog ? new HeldOutcomeStore(sqlite, heldLog) : sqlite;
await using var runsLog = new FileStream(settings.RunsLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.WriteThrough);
var logGate = new SemaphoreSlim(1, 1);
var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

var handlers = new JobHandlerRegistry().Add("sleep", async (ctx, ct) =>
{
    var line = System.Text.Encoding.UTF8.GetBytes($"{ctx.Job.Id} {ctx.Job.Attempt} {pid}\n");
    await logGate.WaitAsync(ct);
    try
    {
        await runsLog.WriteAsync(line, ct);
        await runsLog.FlushAsync(ct);
    }
    finally
    {
        logGate.Release();
    }

    await Task.Delay(settings.JobMilliseconds, ct);
    return JobOutcome.Completed;
});

var options = new JobEngineOptions
{
    MaxWorkers = settings.Workers,
    LeaseDuration = TimeSpan.FromMilliseconds(settings.LeaseMilliseconds),
    CancelCheckInterval = TimeSpan.FromMilliseconds(Math.Min(200, settings.LeaseMilliseconds / 4)),
    PollInterval = TimeSpan.FromMilliseconds(100),
    // Holding outcomes, this process must not rescue (and so re-run) its own jobs when their leases lapse: the run
    // after its death is to come from another engine.
    RescueInterval = settings.HeldOutcomesLog is null ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromHours(1),
};
await using var engine = new JobEngine(store, options, handlers);
await engine.StartAsync(CancellationToken.None);
Console.WriteLine("ready");

if (!settings.ExitWhenEmpty)
{
    await Task.Delay(Timeout.Infinite);
}

while (await HasUnfinishedJobsAsync(store))
{
    await Task.Delay(100);
}

await engine.StopAsync(CancellationToken.None);
Console.WriteLine("done");
return 0;

static async Task<bool> HasUnfinishedJobsAsync(IJobStore store)
{
    foreach (var state in new[] { JobState.Available, JobState.Scheduled, JobState.Retryable, JobState.Running })
    {
        if ((await store.JobListAsync(new JobListQuery(State: state, Limit: 1), CancellationToken.None)).Count > 0)
        {
            return true;
        }
    }

    return false;
}

internal sealed record WorkerSettings(string Database, string RunsLog, int Workers, int JobMilliseconds, int LeaseMilliseconds, bool ExitWhenEmpty, string? HeldOutcomesLog)
{
    public static WorkerSettings Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Number(string name, int fallback) =>
            Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        return new WorkerSettings(
            Value("--db") ?? throw new ArgumentException("--db FILE is required"),
            Value("--runs-log") ?? throw new ArgumentException("--runs-log FILE is required"),
            Number("--workers", 20),
            Number("--job-ms", 1000),
            Number("--lease-ms", 2000),
            args.Contains("--exit-when-empty"),
            Value("--hold-outcomes"));
    }
}

/// <summary>A store whose outcome writes are logged (job ids, one line per batch, flushed) and then never finish.</summary>
internal sealed class HeldOutcomeStore(IJobStore inner, string heldLog) : GridQueue.Storage.Testing.DelegatingJobStore(inner)
{
    private readonly Lock _gate = new();

    public override async Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            File.AppendAllText(heldLog, string.Join(' ', finalizations.Select(f => f.Id.ToString(CultureInfo.InvariantCulture))) + "\n");
        }

        await Task.Delay(Timeout.Infinite, CancellationToken.None);
        throw new InvalidOperationException("unreachable");
    }
}
