namespace GridQueue.Simulator;

/// <summary>
/// How the simulator behaves, bound from the <c>Simulator</c> configuration section (environment variables such as
/// <c>Simulator__ApiKey</c>, command-line switches such as <c>--Simulator:ApiKey=x</c>).
/// </summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";
    public const string DefaultApiKey = "sim-key";
    public const double DefaultFailureRate = 0;
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(20);

    /// <summary>The bearer key every <c>/v2</c> request must carry.</summary>
    public string ApiKey { get; set; } = DefaultApiKey;

    /// <summary>More accepted keys, so tests can give each user a key of their own.</summary>
    public string[] ExtraApiKeys { get; set; } = [];

    /// <summary>Time from submit until a task ends (success or failure); real clips take minutes, tests want seconds.</summary>
    public TimeSpan Duration { get; set; } = DefaultDuration;

    /// <summary>Fraction (0..1) of tasks that end in FAILURE after about 90 %, decided at submit time.</summary>
    public double FailureRate { get; set; } = DefaultFailureRate;

    /// <summary>Seed of the random generator behind every chance decision; set it for reproducible runs.</summary>
    public int? Seed { get; set; }

    /// <summary>The faults active from the start; they can be replaced at runtime.</summary>
    public SimulatorFaults Faults { get; set; } = new();

    /// <summary>Every setting that is out of range, as readable sentences; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            problems.Add("ApiKey must not be empty.");
        }

        if (ExtraApiKeys is null || ExtraApiKeys.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("ExtraApiKeys must not hold empty keys.");
        }

        if (Duration <= TimeSpan.Zero)
        {
            problems.Add("Duration must be positive.");
        }

        if (!SimulatorFaults.IsRate(FailureRate))
        {
            problems.Add("FailureRate must be between 0 and 1.");
        }

        if (Faults is null)
        {
            problems.Add("Faults must not be null.");
        }
        else
        {
            problems.AddRange(Faults.Validate());
        }

        return problems;
    }
}
