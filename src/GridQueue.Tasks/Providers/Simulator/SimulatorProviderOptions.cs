using System.ComponentModel.DataAnnotations;

namespace GridQueue.Tasks.Providers.Simulator;

/// <summary>The in-process simulator (configuration section "Providers:Simulator").</summary>
public sealed class SimulatorProviderOptions
{
    public const string SectionName = "Providers:Simulator";
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(8);
    public const string DefaultFailReason = "The simulated provider rejected the video (content moderation).";

    /// <summary>False removes the provider (and requires another default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time from submit to the end of a simulated video; progress rises evenly across it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Duration { get; set; } = DefaultDuration;

    /// <summary>Fraction of videos (0-1) that fail, after about 90 % progress, with <see cref="FailReason"/>.</summary>
    [Range(0.0, 1.0)]
    public double FailureRate { get; set; }

    public string FailReason { get; set; } = DefaultFailReason;

    /// <summary>
    /// The absolute URL every finished simulated video points at. Unset: the sample clip the host serves
    /// (<see cref="ISimulatorVideoLocation"/>; the server's own <c>/samples/simulated.webm</c>).
    /// </summary>
    [Url]
    public string? VideoUrl { get; set; }
}
