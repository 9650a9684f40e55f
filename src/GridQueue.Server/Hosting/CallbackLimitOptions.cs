using System.ComponentModel.DataAnnotations;

namespace GridQueue.Server.Hosting;

/// <summary>Limits on the upstream callback route (configuration section "Callbacks"), per server process.</summary>
public sealed class CallbackLimitOptions
{
    public const string SectionName = "Callbacks";
    public const int DefaultPerSecond = 500;
    public const int DefaultPerTaskPerMinute = 5;

    /// <summary>
    /// Callback requests of any kind (valid or not) this process answers per second; the rest get 429 before their
    /// token is looked at. It bounds what a flood of made-up callbacks can cost. 0: no limit.
    /// </summary>
    [Range(0, 1_000_000)]
    public int PerSecond { get; set; } = DefaultPerSecond;

    /// <summary>
    /// Callbacks with a valid token one task gets per minute; the rest get 429 and change nothing. Counted only
    /// after the token checks out, so made-up calls naming a task cannot use up its allowance. 0: no limit.
    /// </summary>
    [Range(0, 100_000)]
    public int PerTaskPerMinute { get; set; } = DefaultPerTaskPerMinute;
}
