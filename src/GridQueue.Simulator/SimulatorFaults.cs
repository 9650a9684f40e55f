using System.Text.Json.Serialization;

namespace GridQueue.Simulator;

/// <summary>
/// The misbehaviour the simulated upstream shows on its <c>/v2</c> API. Immutable, so a runtime change swaps the whole
/// set at once and a request never sees half of an old and half of a new setting. Zero everywhere means no faults.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SimulatorFaults
{
    public const int DefaultRateLimitRetryAfterSeconds = 1;

    /// <summary>No faults at all.</summary>
    public static SimulatorFaults None { get; } = new();

    /// <summary>Fraction (0..1) of requests answered 500, 502 or 503 without creating anything.</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Period of the rate-limit bursts; zero turns them off.</summary>
    public TimeSpan RateLimitBurstEvery { get; init; }

    /// <summary>How long each burst lasts, from the start of its period; every request in it gets 429.</summary>
    public TimeSpan RateLimitBurstLength { get; init; }

    /// <summary>The <c>Retry-After</c> value (whole seconds) sent with each 429.</summary>
    public int RateLimitRetryAfterSeconds { get; init; } = DefaultRateLimitRetryAfterSeconds;

    /// <summary>Fraction (0..1) of requests that wait <see cref="SlowDelay"/> before they are handled.</summary>
    public double SlowRate { get; init; }

    /// <summary>The wait of a slow request.</summary>
    public TimeSpan SlowDelay { get; init; }

    /// <summary>When a planned outage starts, counted from the simulator's start; null plans none.</summary>
    public TimeSpan? OutageStart { get; init; }

    /// <summary>How long the planned outage lasts; every request in it gets 503.</summary>
    public TimeSpan OutageDuration { get; init; }

    /// <summary>
    /// Fraction (0..1) of submits that create their task and then lose the response (the connection is aborted), the
    /// case a caller cannot resolve by asking again because the format has no idempotency key.
    /// </summary>
    public double DropSubmitRate { get; init; }

    /// <summary>Every setting that is out of range, as readable sentences; empty when the faults are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        CheckRate(problems, nameof(ServerErrorRate), ServerErrorRate);
        CheckRate(problems, nameof(SlowRate), SlowRate);
        CheckRate(problems, nameof(DropSubmitRate), DropSubmitRate);
        CheckNotNegative(problems, nameof(RateLimitBurstEvery), RateLimitBurstEvery);
        CheckNotNegative(problems, nameof(RateLimitBurstLength), RateLimitBurstLength);
        CheckNotNegative(problems, nameof(SlowDelay), SlowDelay);
        CheckNotNegative(problems, nameof(OutageDuration), OutageDuration);
        if (OutageStart is { } start)
        {
            CheckNotNegative(problems, nameof(OutageStart), start);
        }

        if (RateLimitRetryAfterSeconds < 0)
        {
            problems.Add($"{nameof(RateLimitRetryAfterSeconds)} must not be negative.");
        }

        return problems;
    }

    internal static bool IsRate(double value) => value is >= 0 and <= 1;

    private static void CheckRate(List<string> problems, string name, double value)
    {
        if (!IsRate(value))
        {
            problems.Add($"{name} must be between 0 and 1.");
        }
    }

    private static void CheckNotNegative(List<string> problems, string name, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            problems.Add($"{name} must not be negative.");
        }
    }
}
