using System.Data.Common;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GridQueue.Engine.Engine;

/// <summary>
/// The durable job engine of one node: the client API (insert, cancel, re-queue, inspect) and, once started,
/// the worker services (producer, completer, lease keeper, rescuer, cleaner). Run it as a hosted service or
/// call <see cref="StartAsync"/> and <see cref="StopAsync"/> yourself.
/// </summary>
public sealed class JobEngine : IHostedService, IAsyncDisposable
{
    private readonly EngineContext _context;
    private readonly Producer _producer;
    private readonly Completer _completer;
    private readonly LeaseKeeper _leaseKeeper;
    private readonly Rescuer _rescuer;
    private readonly Cleaner _cleaner;
    private readonly object _lifecycle = new();
    private Task? _started;
    private Task? _stopped;
    private IAsyncDisposable? _feed;

    public JobEngine(
        IJobStore store,
        JobEngineOptions options,
        JobHandlerRegistry handlers,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        IServiceProvider? services = null,
        ILeaderElector? leader = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlers);
        var validation = new JobEngineOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(JobEngineOptions.SectionName, typeof(JobEngineOptions), validation.Failures);
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<JobEngine>();
        _context = new EngineContext(store, options, time ?? TimeProvider.System, logger, leader ?? AlwaysLeader.Instance);
        _completer = new Completer(_context, OnOutcomesStored);
        var executor = new JobExecutor(
            _context, handlers, services ?? EmptyServices.Instance, new OutcomeRecorder(options, new RetryPolicy(options)), _completer);
        _producer = new Producer(_context, executor);
        _context.Metrics = new EngineMetrics(_context.Node, () => _producer.Active);
        _leaseKeeper = new LeaseKeeper(_context);
        _rescuer = new Rescuer(_context, _producer.WakeForNewWork);
        _cleaner = new Cleaner(_context);
    }

    /// <summary>This node's name in job leases.</summary>
    public string NodeId => _context.Node;

    /// <summary>The name of the engine's System.Diagnostics.Metrics meter (its instruments are in the README).</summary>
    public const string MeterName = EngineMetrics.MeterName;

    /// <summary>The store the engine works on.</summary>
    public IJobStore Store => _context.Store;

    /// <summary>Handlers running on this node right now.</summary>
    public int ActiveHandlers => _producer.Active;

    /// <summary>Inserts one job in a transaction of its own.</summary>
    public async Task<InsertResult> InsertAsync(NewJob job, CancellationToken cancellationToken = default) =>
        (await InsertManyAsync([job], null, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Inserts one job inside the caller's open transaction on the same database: it commits or rolls back with
    /// the caller's own rows.
    /// </summary>
    public async Task<InsertResult> InsertAsync(NewJob job, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return (await InsertManyAsync([job], transaction, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Inserts jobs in order, in <paramref name="transaction"/> when given, else in one transaction of their own.
    /// A job whose unique key an unfinished job already holds is not inserted; its result returns that job.
    /// </summary>
    /// <exception cref="ArgumentException">A job is invalid (the message names the field); nothing is inserted.</exception>
    public async Task<IReadOnlyList<InsertResult>> InsertManyAsync(
        IEnumerable<NewJob> jobs, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var now = _context.Time.GetUtcNow();
        var rows = jobs.Select(j => JobInsertPreparer.Prepare(j, _context.Options, now)).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        var results = await _context.Store.JobInsertManyAsync(rows, transaction, cancellationToken).ConfigureAwait(false);
        foreach (var result in results.Where(r => !r.Deduplicated))
        {
            _context.Metrics.Inserted(result.Job);
        }

        WakeFor(results);
        return results;
    }

    /// <summary>
    /// Cancels a job: a waiting one at once; a running one has its handler's token signalled (at once on this node,
    /// within CancelCheckInterval on another) and ends cancelled. A finished job is returned unchanged.
    /// Null when no such job exists.
    /// </summary>
    public async Task<Job?> CancelAsync(long jobId, CancellationToken cancellationToken = default)
    {
        var job = await _context.Store.JobCancelAsync(jobId, _context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (job is { State: JobState.Running } && _context.Leased.TryGetValue(jobId, out var run) && run.Job.Claims == job.Claims)
        {
            run.Stop(StopReason.CancelRequested);
        }

        return job;
    }

    /// <summary>Puts a discarded or cancelled job (a dead letter) back to available with fresh attempts.</summary>
    public async Task<Job?> RequeueAsync(long jobId, CancellationToken cancellationToken = default)
    {
        var job = await _context.Store.JobRequeueAsync(jobId, _context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (job is { State: JobState.Available })
        {
            _producer.WakeForNewWork();
        }

        return job;
    }

    /// <summary>
    /// Makes a waiting job due now (see <see cref="IJobStore.JobMakeDueAsync"/>): an outside signal says its work is
    /// ready before the time it was scheduled for. A running or finished job is left alone, so this never starts a
    /// second run of a job. Returns the job as it is afterwards, or null when no such job exists.
    /// </summary>
    public async Task<Job?> MakeDueAsync(long jobId, CancellationToken cancellationToken = default)
    {
        var now = _context.Time.GetUtcNow();
        var job = await _context.Store.JobMakeDueAsync(jobId, now, cancellationToken).ConfigureAwait(false);
        if (job is { } due && due.State.IsWaiting() && due.ScheduledAt <= now && _context.QueueNames.Contains(due.Queue))
        {
            _producer.WakeForNewWork();
        }

        return job;
    }

    public Task<Job?> GetAsync(long jobId, CancellationToken cancellationToken = default) =>
        _context.Store.JobGetAsync(jobId, cancellationToken);

    public Task<IReadOnlyList<Job>> ListAsync(JobListQuery query, CancellationToken cancellationToken = default) =>
        _context.Store.JobListAsync(query, cancellationToken);

    /// <summary>
    /// Applies the store's pending migrations, then starts the worker services. Idempotent; a failed start may be
    /// tried again. An engine that was stopped does not start again: make a new one.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            if (_stopped is not null)
            {
                throw new InvalidOperationException($"Job engine {_context.Node} was stopped; create a new engine to start again.");
            }

            return _started ??= StartCoreAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Graceful stop: no more claims; running handlers get ShutdownGracePeriod (or until
    /// <paramref name="cancellationToken"/> fires) to finish, and their outcomes get as long again (at least a second)
    /// to be stored; the rest are signalled and left running in the database, to be rescued when their leases
    /// expire. Idempotent, and harmless before a start.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            if (_started is null)
            {
                return Task.CompletedTask;
            }

            return _stopped ??= StopCoreAsync(cancellationToken);
        }
    }

    /// <summary>Stops the engine (see <see cref="StopAsync"/>) and releases its meter.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _context.Metrics.Dispose();
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        // Leave StartAsync's lock first, so that _started is set before a failure below can reset it.
        await Task.Yield();
        try
        {
            await _context.Store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_lifecycle)
            {
                _started = null;
            }

            throw;
        }

        if (_context.Store is IJobAvailabilityFeed feed)
        {
            // Jobs committed by callers' transactions, or on other nodes, wake the producer at commit.
            _feed = await feed.SubscribeAsync(
                queue =>
                {
                    if (queue is null || _context.QueueNames.Contains(queue))
                    {
                        _producer.WakeForNewWork();
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }

        IAsyncDisposable? unwanted = null;
        var stoppedMeanwhile = false;
        lock (_lifecycle)
        {
            // A stop that came while migrations ran has already stopped the (not yet started) services: start none,
            // and end the subscription it could not see.
            if (_stopped is not null)
            {
                stoppedMeanwhile = true;
                unwanted = Interlocked.Exchange(ref _feed, null);
            }
            else
            {
                _completer.Start();
                _producer.Start();
                _leaseKeeper.Start();
                _rescuer.Start();
                _cleaner.Start();
            }
        }

        if (stoppedMeanwhile)
        {
            if (unwanted is not null)
            {
                await unwanted.DisposeAsync().ConfigureAwait(false);
            }

            return;
        }

        Log.Started(_context.Logger, _context.Node, _context.Store.Name, _context.Options.MaxWorkers, string.Join(",", _context.QueueNames));
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _feed, null) is { } feed)
        {
            await feed.DisposeAsync().ConfigureAwait(false);
        }

        await _producer.StopAsync().ConfigureAwait(false);
        await GiveBackReadyAsync().ConfigureAwait(false);
        await _rescuer.StopAsync().ConfigureAwait(false);
        await _cleaner.StopAsync().ConfigureAwait(false);

        var runs = _context.Leased.Values.ToList();
        var handlers = Task.WhenAll(runs.Select(r => r.Execution));
        var grace = Task.Delay(_context.Options.ShutdownGracePeriod, _context.Time, cancellationToken);
        await Task.WhenAny(handlers, grace).ConfigureAwait(false);
        var left = runs.Count(r => !r.Execution.IsCompleted);
        foreach (var run in runs.Where(r => !r.Execution.IsCompleted))
        {
            run.Stop(StopReason.Shutdown);
        }

        // Store the outcomes already produced, but not forever: if the database will not take them, those jobs are
        // left to lease expiry like the handlers still running.
        var flushBudget = _context.Options.ShutdownGracePeriod < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : _context.Options.ShutdownGracePeriod;
        using var flushTimeout = new CancellationTokenSource(flushBudget, _context.Time);
        using var flushLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, flushTimeout.Token);
        await _completer.StopAsync(flushLimit.Token).ConfigureAwait(false);
        await _leaseKeeper.StopAsync().ConfigureAwait(false);
        Log.Stopped(_context.Logger, _context.Node, left);
    }

    /// <summary>
    /// Jobs claimed ahead that never started go back to the queue at once, their attempt not used, so another node
    /// need not wait for their leases to expire. Stored by the completer, with the outcomes.
    /// </summary>
    private async Task GiveBackReadyAsync()
    {
        var now = _context.Time.GetUtcNow();
        foreach (var run in _producer.StopStartingAndTakeReady())
        {
            var job = run.Job;
            var back = new JobFinalization(job.Id, _context.Node, job.Claims, JobState.Scheduled, now, now, null, GiveBackAttempt: true);
            if (!await _completer.EnqueueAsync(run, back).ConfigureAwait(false))
            {
                _context.Forget(run); // left to lease expiry, like a handler still running
            }
        }
    }

    private void WakeFor(IReadOnlyList<InsertResult> results)
    {
        foreach (var result in results)
        {
            var job = result.Job;
            if (result.Deduplicated || !_context.QueueNames.Contains(job.Queue))
            {
                continue;
            }

            if (job.State == JobState.Available)
            {
                _producer.WakeForNewWork();
                return;
            }

            _producer.NoteDue(job.ScheduledAt);
        }
    }

    private void OnOutcomesStored(DateTimeOffset? earliestDue)
    {
        // Finished jobs free queue and fairness-key limits, so jobs held back by them may now run. Without limits
        // the freed worker slots already woke the producer, which then claims in batches.
        if (_context.HasLimits)
        {
            _producer.WakeForNewWork();
        }

        if (earliestDue is { } due)
        {
            _producer.NoteDue(due);
        }
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
