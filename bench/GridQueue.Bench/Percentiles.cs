namespace GridQueue.Bench;

/// <summary>Nearest-rank percentiles of a set of samples.</summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _sorted = [.. samples.Order()];
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(samples));
        }
    }

    public int Count => _sorted.Length;
    public double Max => _sorted[^1];

    /// <summary>The smallest sample that at least <paramref name="percent"/> % of the samples do not exceed.</summary>
    public double At(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var rank = (int)Math.Ceiling(percent / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank, 1, _sorted.Length) - 1];
    }
}
