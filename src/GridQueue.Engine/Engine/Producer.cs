using System.Collections.Concurrent;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Engine;

/// <summary>
/// Claims due jobs for free worker slots and starts them. It claims at once when woken by new work on this node or,
/// where the store offers an <see cref="Storage.IJobAvailabilityFeed"/>, by another node's insert;
/// while busy it waits until a quarter of the pool is free so claims stay batched; with nothing to do it sleeps
/// until the next scheduled job is due or the jittered poll interval passes, whichever comes first.
/// </summary>
/// <remarks>
/// Claiming ahead: a claim is one write transaction whatever its size, so a small pool that claims only for its free
/// slots pays a transaction for every few jobs. When handlers are quick, the producer also claims jobs for slots that
/// are about to free and keeps them ready in memory (their leases held and renewed like running jobs'); a finishing
/// handler's slot starts the next ready job at once, without a round trip through this loop. How many it claims
/// ahead follows how many finished since its last claim, so slow handlers make it hold back next to nothing, and it
/// never passes <see cref="Options.JobEngineOptions.ClaimAhead"/>. Not under queue or fairness-key limits: a job
/// held ready counts as running there and would keep a slot from another node's job.
/// </remarks>
internal sealed class Producer(EngineContext context, JobExecutor executor) : LoopService(context, "producer")
{
    private readonly ClaimAhead _claimAhead = new(context.HasLimits ? 0 : context.Options.EffectiveClaimAhead, context.Options.ClaimAheadMaxWait, context.Time);
    private readonly ConcurrentQueue<RunningJob> _ready = new();
    private int _active;
    private int _refillBelow;
    private volatile bool _lastClaimFull;
    private volatile bool _stopping;
    private volatile bool _newWork = true;
    private long _nextDueTicks = long.MaxValue;
    private long _notedDueTicks = long.MaxValue;

    /// <summary>Handlers running now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Work became due (an insert, a rescue, a job that finished and freed a limit): claim soon.</summary>
    public void WakeForNewWork()
    {
        _newWork = true;
        Context.ProducerWake.Set();
    }

    /// <summary>A job became scheduled for <paramref name="dueAt"/>: make sure the producer wakes by then.</summary>
    public void NoteDue(DateTimeOffset dueAt)
    {
        // Also kept apart, so that a next-due query racing with this note cannot overwrite it.
        LowerTo(ref _notedDueTicks, dueAt.UtcTicks);
        if (LowerTo(ref _nextDueTicks, dueAt.UtcTicks))
        {
            Context.ProducerWake.Set();
        }
    }

    /// <summary>
    /// Stops starting jobs (a finishing handler no longer takes a ready one) and hands back the jobs claimed ahead
    /// that never started, for the engine to return to the queue.
    /// </summary>
    public IReadOnlyList<RunningJob> StopStartingAndTakeReady()
    {
        _stopping = true;
        var left = new List<RunningJob>();
        while (_ready.TryDequeue(out var run))
        {
            left.Add(run);
        }

        return left;
    }

    /// <summary>Sets <paramref name="target"/> to <paramref name="ticks"/> if that is earlier; true if it was.</summary>
    private static bool LowerTo(ref long target, long ticks)
    {
        var seen = Volatile.Read(ref target);
        while (ticks < seen)
        {
            var prior = Interlocked.CompareExchange(ref target, ticks, seen);
            if (prior == seen)
            {
                return true;
            }

            seen = prior;
        }

        return false;
    }

    protected override async Task RunAsync(CancellationToken stopping)
    {
        var options = Context.Options;
        while (true)
        {
            stopping.ThrowIfCancellationRequested();
            var active = Active;
            var ahead = _claimAhead.Target;
            var wanted = options.MaxWorkers - active + ahead - _ready.Count;
            var now = Context.Time.GetUtcNow();
            var mayHaveMore = false;
            if (wanted > 0 && (_newWork || active == 0 || wanted >= BatchThreshold(ahead) || now.UtcTicks >= Volatile.Read(ref _nextDueTicks)))
            {
                _newWork = false;
                Volatile.Write(ref _refillBelow, ahead / 2);
                var leaseExpiresAt = now + options.LeaseDuration;
                var jobs = await Context.Store.JobClaimAsync(
                    new JobClaimRequest(Context.Node, wanted, now, leaseExpiresAt, Context.Queues, options.MaxRunningPerFairnessKey),
                    stopping).ConfigureAwait(false);
                foreach (var job in jobs)
                {
                    Context.Metrics.Claimed(job, now);
                    Track(job, leaseExpiresAt);
                }

                StartReady();
                mayHaveMore = jobs.Count == wanted;
                _lastClaimFull = mayHaveMore;

                // Under limits a claim can come back short because one key's or queue's backlog filled the scan;
                // that key is now at its limit and excluded, so look again at once for the others' jobs.
                if (Context.HasLimits && jobs.Count > 0)
                {
                    _newWork = true;
                    mayHaveMore = true;
                }

                if (!mayHaveMore)
                {
                    Interlocked.Exchange(ref _notedDueTicks, long.MaxValue);
                    var next = await Context.Store.JobNextScheduledAtAsync(Context.QueueNames, stopping).ConfigureAwait(false);
                    var notedMeanwhile = Interlocked.Exchange(ref _notedDueTicks, long.MaxValue);
                    Volatile.Write(ref _nextDueTicks, Math.Min(next?.UtcTicks ?? long.MaxValue, notedMeanwhile));
                }
            }

            if (_newWork && Active < options.MaxWorkers)
            {
                continue;
            }

            // A poll that runs out claims whatever the pool can take, however few slots are free: jobs rescued or
            // freed by other nodes, and their inserts when the store sends no notifications, are only seen this way.
            if (!await Context.ProducerWake.WaitAsync(WaitTime(mayHaveMore, now), Context.Time, stopping).ConfigureAwait(false))
            {
                _newWork = true;
            }
        }
    }

    /// <summary>
    /// How long to sleep when nothing wakes us: until the next due job, capped by the jittered poll. A job that was
    /// already due when we last claimed (<paramref name="claimedAt"/>) and was not taken is held back by a limit;
    /// a finished job wakes us for it, so it does not shorten the sleep.
    /// </summary>
    private TimeSpan WaitTime(bool mayHaveMore, DateTimeOffset claimedAt)
    {
        var poll = EngineContext.Jittered(Context.Options.PollInterval);
        var nextDue = Volatile.Read(ref _nextDueTicks);
        if (mayHaveMore || nextDue == long.MaxValue || nextDue <= claimedAt.UtcTicks)
        {
            return poll;
        }

        // Timers count whole milliseconds and would round a sub-millisecond wait down to nothing: round up instead.
        var untilDue = TimeSpan.FromTicks(nextDue - Context.Time.GetUtcNow().UtcTicks);
        untilDue = untilDue <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(untilDue.TotalMilliseconds));
        return untilDue < poll ? untilDue : poll;
    }

    /// <summary>Claims wait until a quarter of what the pool can hold (slots and jobs claimed ahead) is wanted.</summary>
    private int BatchThreshold(int ahead) => Math.Max(1, (Context.Options.MaxWorkers + ahead) / 4);

    /// <summary>Tracks a claimed job's lease and queues it to start.</summary>
    private void Track(Job job, DateTimeOffset leaseExpiresAt)
    {
        var run = new RunningJob(job, leaseExpiresAt);
        var previous = Context.Leased.GetValueOrDefault(job.Id);
        Context.Leased[job.Id] = run;
        run.ReadySince = Context.Time.GetTimestamp();

        // A claim of a job this node still tracks means the older run's lease is gone (its outcome is stored, or
        // its lease lapsed and the job was rescued): that run must stop, and its outcome will be refused.
        previous?.Stop(StopReason.LeaseLost);
        _ready.Enqueue(run);
    }

    /// <summary>Starts ready jobs while slots are free. Called after every enqueue and every freed slot, so none is stranded.</summary>
    private void StartReady()
    {
        while (!_stopping && !_ready.IsEmpty && TryTakeSlot())
        {
            if (_ready.TryDequeue(out var run))
            {
                Start(run);
            }
            else
            {
                ReleaseSlot();
            }
        }
    }

    private bool TryTakeSlot()
    {
        var active = Volatile.Read(ref _active);
        while (active < Context.Options.MaxWorkers)
        {
            var prior = Interlocked.CompareExchange(ref _active, active + 1, active);
            if (prior == active)
            {
                return true;
            }

            active = prior;
        }

        return false;
    }

    private void ReleaseSlot()
    {
        Interlocked.Decrement(ref _active);
        Context.ProducerWake.Set();
    }

    /// <summary>
    /// Runs <paramref name="run"/> in a slot already taken, then the ready jobs after it in the same slot. Each run's
    /// <see cref="RunningJob.Execution"/> ends when the slot does: at shutdown no ready job is taken any more, so
    /// that is when the run ends.
    /// </summary>
    private void Start(RunningJob run)
    {
        var slot = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.Execution = slot.Task;
        _ = Task.Run(async () =>
        {
            try
            {
                for (var next = run; next is not null; next = TakeNextReady())
                {
                    next.Execution = slot.Task;
                    await RunOneAsync(next).ConfigureAwait(false);
                }
            }
            finally
            {
                ReleaseSlot();
                slot.SetResult();
                StartReady();
            }
        });
    }

    private async Task RunOneAsync(RunningJob run)
    {
        if (run.StopReason is StopReason.LeaseLost or StopReason.Shutdown)
        {
            Context.Forget(run); // its lease lapsed (or was taken again) while it waited: not ours to start
            return;
        }

        await executor.RunAsync(run).ConfigureAwait(false);
    }

    /// <summary>The next ready job for a slot that just freed; wakes the producer to claim more once half are gone.</summary>
    private RunningJob? TakeNextReady()
    {
        if (_stopping)
        {
            return null;
        }

        if (!_ready.TryDequeue(out var run))
        {
            if (_lastClaimFull)
            {
                _claimAhead.SlotStarved();
            }

            return null;
        }

        _claimAhead.Started(run.ReadySince);
        if (_ready.Count < Volatile.Read(ref _refillBelow))
        {
            Context.ProducerWake.Set();
        }

        return run;
    }
}
