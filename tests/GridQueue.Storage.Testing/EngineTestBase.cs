using System.Collections.Concurrent;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;

namespace GridQueue.Storage.Testing;

/// <summary>Starts real engines on the test's store and waits for jobs to reach states.</summary>
public abstract class EngineTestBase(ITestDatabase database) : StoreTestBase(database)
{
    private readonly ConcurrentBag<JobEngine> _engines = [];

    /// <summary>What the engines logged at warning level and above. Errors fail the test unless it expects them.</summary>
    protected RecordingLoggerFactory Logs { get; } = new();

    /// <summary>Set by a test whose handlers throw on purpose (handler exceptions are logged as errors).</summary>
    protected bool ExpectErrorLogs { get; set; }

    /// <summary>Settings short enough for tests to see leases, rescues and cancels within a second or two.</summary>
    protected static JobEngineOptions FastOptions(Action<JobEngineOptions>? configure = null)
    {
        var options = new JobEngineOptions
        {
            MaxWorkers = 10,
            LeaseDuration = TimeSpan.FromSeconds(2),
            CancelCheckInterval = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(200),
            RescueInterval = TimeSpan.FromMilliseconds(200),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            ShutdownGracePeriod = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    protected async Task<JobEngine> StartEngineAsync(
        JobHandlerRegistry handlers, JobEngineOptions? options = null, TimeProvider? time = null, IJobStore? store = null)
    {
        var engine = new JobEngine(store ?? Store, options ?? FastOptions(), handlers, time, Logs);
        _engines.Add(engine);
        await engine.StartAsync(CancellationToken.None);
        return engine;
    }

    /// <summary>An engine that is never started: for inserts only, like an API node without workers.</summary>
    protected JobEngine Client(JobEngineOptions? options = null, TimeProvider? time = null) =>
        new(Store, options ?? FastOptions(), new JobHandlerRegistry(), time);

    protected async Task<Job> WaitForStateAsync(long id, JobState state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        Job? job = null;
        while (DateTime.UtcNow < deadline)
        {
            job = await Store.JobGetAsync(id, CancellationToken.None);
            if (job?.State == state)
            {
                return job;
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"Job {id} did not reach {state} in time; it is {job?.State.ToString() ?? "missing"}.");
    }

    protected static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(condition, what, timeout);

    protected override async Task BeforeDeleteAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.StopAsync(CancellationToken.None);
        }

        if (!ExpectErrorLogs)
        {
            Xunit.Assert.Empty(Logs.Errors);
        }
    }
}
