namespace GridQueue.Tasks.Events;

/// <summary>
/// Raised after a transaction that appended events commits, so the push hub reads them at once instead of at its
/// next poll. A bool flag plus an event: any number of raises before the hub wakes cost one wake-up.
/// </summary>
public sealed class TaskChangeSignal
{
    // No spinning before blocking: the hub's thread is woken hundreds of times a second, and a SemaphoreSlim's spin
    // (sched_yield in a loop) on each wait cost about 5 % of the server's CPU at 10,000 polling tasks.
    private readonly ManualResetEventSlim _event = new(initialState: false, spinCount: 0);
    private int _raised;

    public void Raise()
    {
        if (Interlocked.Exchange(ref _raised, 1) == 0)
        {
            _event.Set();
        }
    }

    /// <summary>Blocks until raised or <paramref name="timeout"/>; true when raised. The push hub waits so on a thread of its own.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var raised = _event.Wait(timeout, cancellationToken);

        // Reset before clearing the flag: a raise in between then finds the flag still set and is covered by the read
        // the caller makes next (its commit came before it). Clearing first could leave the flag set with the event
        // reset, and every later raise would be swallowed until the timeout.
        _event.Reset();
        Interlocked.Exchange(ref _raised, 0);
        return raised;
    }
}
