namespace GridQueue.Engine.Engine;

/// <summary>
/// An auto-reset wake-up for one waiting loop. Set() wakes the current or next wait; waits time out on the
/// engine's TimeProvider, so tests with a fake clock control the fallback polls too.
/// </summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _signal = NewSource();

    public void Set() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Waits until set or until <paramref name="timeout"/> passes; consumes the signal.</summary>
    /// <returns>True when woken by <see cref="Set"/>, false when the time ran out.</returns>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _signal);
        if (!signal.Task.IsCompleted && timeout != TimeSpan.Zero)
        {
            using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(timeout, time, delayCancel.Token);
            await Task.WhenAny(signal.Task, delay).ConfigureAwait(false);
            await delayCancel.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        // Reset only the source we saw completed: a Set() racing with this lands on the new source or was
        // issued before our caller looks at the database again, so no wake-up is lost.
        if (signal.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _signal, NewSource(), signal);
            return true;
        }

        return false;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
