using GridQueue.Engine.Options;

namespace GridQueue.Engine.Engine;

/// <summary>
/// Exponential back-off with jitter: base × 2^(attempt−1), capped, then spread ±20 % so that jobs which failed
/// together (an upstream outage) do not all come back in the same instant.
/// </summary>
internal sealed class RetryPolicy(JobEngineOptions options)
{
    public const double Jitter = 0.2;

    /// <summary>The delay before the run after failed attempt number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan NextDelay(int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 62);
        var raw = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(raw, options.RetryMaxDelay.TotalMilliseconds);
        var factor = 1 + ((Random.Shared.NextDouble() * 2) - 1) * Jitter;
        return TimeSpan.FromMilliseconds(capped * factor);
    }
}
