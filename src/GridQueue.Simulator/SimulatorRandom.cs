namespace GridQueue.Simulator;

/// <summary>
/// The one source of chance for every fault and fate decision. <see cref="Random"/> is not thread-safe and a seeded
/// run must draw from a single sequence to be reproducible, hence one generator behind a lock.
/// </summary>
internal sealed class SimulatorRandom(int? seed)
{
    private readonly Lock gate = new();
    private readonly Random random = seed is { } value ? new Random(value) : new Random();

    /// <summary>True with probability <paramref name="rate"/>; rates of 0 and 1 draw nothing, so they stay exact.</summary>
    public bool Chance(double rate)
    {
        if (rate <= 0)
        {
            return false;
        }

        if (rate >= 1)
        {
            return true;
        }

        lock (gate)
        {
            return random.NextDouble() < rate;
        }
    }

    /// <summary>An integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int minInclusive, int maxExclusive)
    {
        lock (gate)
        {
            return random.Next(minInclusive, maxExclusive);
        }
    }
}
