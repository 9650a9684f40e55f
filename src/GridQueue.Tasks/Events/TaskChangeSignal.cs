namespace GridQueue.Tasks.Events;

/// <summary>
/// Raised after a transaction that appended events commits, so the push hub reads them at once instead of at its
/// next poll. A bool flag plus a semaphore: any number of raises before the hub wakes cost one wake-up.
/// </summary>
public sealed class TaskChangeSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private int _raised;

    public void Raise()
    {
        if (Interlocked.Exchange(ref _raised, 1) == 0)
        {
            _semaphore.Release();
        }
    }

    /// <summary>Blocks until raised or <paramref name="timeout"/>; true when raised. The push hub waits so on a thread of its own.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var raised = _semaphore.Wait(timeout, cancellationToken);
        Interlocked.Exchange(ref _raised, 0);
        return raised;
    }
}
