using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Engine;

/// <summary>
/// The heartbeat of this node's running jobs. Every CancelCheckInterval it asks the database about them, and every
/// third of LeaseDuration it renews their leases in the same round. A job whose lease is gone (rescued elsewhere,
/// or deleted) or whose cancel was requested has its handler's token signalled.
/// </summary>
internal sealed class LeaseKeeper(EngineContext context) : LoopService(context, "lease keeper")
{
    private DateTimeOffset _lastRenewal = DateTimeOffset.MinValue;

    protected override async Task RunAsync(CancellationToken stopping)
    {
        await Task.Delay(Context.Options.CancelCheckInterval, Context.Time, stopping).ConfigureAwait(false);
        await RunOnceAsync(stopping).ConfigureAwait(false);
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var runs = Context.Leased.Values.ToList();
        if (runs.Count == 0)
        {
            return;
        }

        var options = Context.Options;
        var now = Context.Time.GetUtcNow();
        var leases = runs.ConvertAll(r => new JobLease(r.Job.Id, r.Job.Claims));
        var renew = now - _lastRenewal >= options.LeaseDuration / 3;
        var expiresAt = now + options.LeaseDuration;
        IReadOnlyList<JobLeaseStatus> statuses;
        try
        {
            statuses = renew
                ? await Context.Store.JobRenewLeasesAsync(Context.Node, leases, expiresAt, cancellationToken).ConfigureAwait(false)
                : await Context.Store.JobGetLeaseStatusAsync(Context.Node, leases, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever the database said or failed to say: a handler past its last confirmed lease may be running
            // a job that another node has already rescued, so it is told to stop.
            foreach (var run in runs.Where(r => r.LeaseExpiresAt <= now))
            {
                StopLeaseLost(run);
            }
        }

        if (renew)
        {
            _lastRenewal = now;
        }

        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var status = statuses[i];
            if (!status.Held)
            {
                // Also true for a job finished a moment ago whose outcome is already stored; its handler has
                // returned, so the signal reaches nobody.
                StopLeaseLost(run);
            }
            else if (status.CancelRequested)
            {
                run.Stop(StopReason.CancelRequested);
            }
            else if (renew)
            {
                run.LeaseExpiresAt = expiresAt;
            }
        }
    }

    private void StopLeaseLost(RunningJob run)
    {
        if (!run.Execution.IsCompleted && run.StopReason == StopReason.None)
        {
            Log.LeaseLost(Context.Logger, run.Job.Id);
        }

        run.Stop(StopReason.LeaseLost);
    }
}
