using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Engine;

/// <summary>
/// Claims due jobs for free worker slots and starts them. It claims at once when woken by new work on this node or,
/// where the store offers an <see cref="Storage.IJobAvailabilityFeed"/>, by another node's insert;
/// while busy it waits until a quarter of the pool is free so claims stay batched; with nothing to do it sleeps
/// until the next scheduled job is due or the jittered poll interval passes, whichever comes first.
/// </summary>
internal sealed class Producer(EngineContext context, JobExecutor executor) : LoopService(context, "producer")
{
    private readonly int _batchThreshold = Math.Max(1, context.Options.MaxWorkers / 4);
    private int _active;
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
            var free = options.MaxWorkers - active;
            var now = Context.Time.GetUtcNow();
            var mayHaveMore = false;
            if (free > 0 && (_newWork || active == 0 || free >= _batchThreshold || now.UtcTicks >= Volatile.Read(ref _nextDueTicks)))
            {
                _newWork = false;
                var leaseExpiresAt = now + options.LeaseDuration;
                var jobs = await Context.Store.JobClaimAsync(
                    new JobClaimRequest(Context.Node, free, now, leaseExpiresAt, Context.Queues, options.MaxRunningPerFairnessKey),
                    stopping).ConfigureAwait(false);
                foreach (var job in jobs)
                {
                    Context.Metrics.Claimed(job, now);
                    Dispatch(job, leaseExpiresAt);
                }

                mayHaveMore = jobs.Count == free;

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

    private void Dispatch(Job job, DateTimeOffset leaseExpiresAt)
    {
        var run = new RunningJob(job, leaseExpiresAt);
        var previous = Context.Leased.GetValueOrDefault(job.Id);
        Context.Leased[job.Id] = run;

        // A claim of a job this node still tracks means the older run's lease is gone (its outcome is stored, or
        // its lease lapsed and the job was rescued): that run must stop, and its outcome will be refused.
        previous?.Stop(StopReason.LeaseLost);
        Interlocked.Increment(ref _active);
        run.Execution = Task.Run(async () =>
        {
            try
            {
                await executor.RunAsync(run).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _active);
                Context.ProducerWake.Set();
            }
        });
    }
}
