namespace GridQueue.Engine.Engine;

/// <summary>
/// How many jobs the producer claims beyond its free slots, adapted to how quick the handlers are: doubled when a
/// slot found nothing ready although the queue had more (the last claim came back full), halved when a job waited
/// ready longer than <paramref name="maxReadyWait"/> (handlers are slow: the job would better wait in the database, where
/// another node can take it). Quick handlers thus get large claims; slow ones next to none.
/// </summary>
internal sealed class ClaimAhead(int max, TimeSpan maxReadyWait, TimeProvider time)
{
    private int _target;

    /// <summary>Jobs to claim ahead now, between 0 and the configured maximum.</summary>
    public int Target => Volatile.Read(ref _target);

    /// <summary>A slot freed and found no ready job while the queue had more.</summary>
    public void SlotStarved() => Update(t => Math.Min(max, Math.Max(1, t * 2)));

    /// <summary>A ready job starts; it was made ready at <paramref name="readySince"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public void Started(long readySince)
    {
        if (time.GetElapsedTime(readySince) > maxReadyWait)
        {
            Update(t => t / 2);
        }
    }

    private void Update(Func<int, int> next)
    {
        var seen = Volatile.Read(ref _target);
        while (true)
        {
            var wanted = next(seen);
            var prior = Interlocked.CompareExchange(ref _target, wanted, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }
}
