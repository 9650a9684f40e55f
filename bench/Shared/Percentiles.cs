namespace GridQueue.Bench.Shared;

/// <summary>Nearest-rank percentiles of a set of samples.</summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _sorted = [.. samples.Order()];
    }

    public int Count => _sorted.Length;
    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];
    public double Min => _sorted.Length == 0 ? double.NaN : _sorted[0];

    /// <summary>The smallest sample that at least <paramref name="percent"/> % of the samples do not exceed (NaN when empty).</summary>
    public double At(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank, 1, _sorted.Length) - 1];
    }

    /// <summary>How many samples exceed <paramref name="limit"/>.</summary>
    public int CountAbove(double limit) => _sorted.Length - UpperBound(limit);

    private int UpperBound(double value)
    {
        var index = Array.BinarySearch(_sorted, value);
        if (index < 0)
        {
            return ~index;
        }

        while (index < _sorted.Length && _sorted[index] <= value)
        {
            index++;
        }

        return index;
    }
}
