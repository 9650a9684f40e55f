using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Engine;

/// <summary>Why a running handler's token was signalled.</summary>
internal enum StopReason
{
    None = 0,
    CancelRequested = 1,
    LeaseLost = 2,
    Shutdown = 3,
}

/// <summary>A job this node holds a lease on, from claim until its finalization is written (or dropped).</summary>
// The token source is never disposed on purpose: it has no timer or link to release, and a late Stop() from the
// lease keeper must stay safe after the run has ended.
internal sealed class RunningJob(Job job, DateTimeOffset leaseExpiresAt)
{
    private readonly CancellationTokenSource _cancel = new();
    private int _stopReason;

    public Job Job { get; } = job;

    /// <summary>Last lease expiry the database confirmed; past it the job may already run elsewhere.</summary>
    public DateTimeOffset LeaseExpiresAt { get; set; } = leaseExpiresAt;

    public CancellationToken Token => _cancel.Token;

    /// <summary>When it was made ready to start (a <see cref="TimeProvider"/> timestamp).</summary>
    public long ReadySince { get; set; }

    /// <summary>The handler's run, for shutdown to wait on.</summary>
    public Task Execution { get; set; } = Task.CompletedTask;

    public StopReason StopReason => (StopReason)Volatile.Read(ref _stopReason);

    /// <summary>Signals the handler once; the first reason wins.</summary>
    public void Stop(StopReason reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, (int)reason, (int)StopReason.None) == (int)StopReason.None)
        {
            _cancel.Cancel();
        }
    }
}
