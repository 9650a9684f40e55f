using GridQueue.Engine.Options;
using GridQueue.Tasks.Providers.T8Star;

namespace GridQueue.Server.Hosting;

/// <summary>
/// A graceful stop (SIGTERM, Ctrl+C) must not manufacture unknown outcomes: a submit in flight is let finish and its
/// answer recorded. So, unless <c>GridQueue__Engine__ShutdownGracePeriod</c> is set, handlers get the upstream's
/// attempt time-out plus a margin to finish, and the host waits long enough for that and for the outcomes to be
/// stored.
/// </summary>
public static class ShutdownSetup
{
    /// <summary>Added to the upstream's attempt time-out: the write of the answer, and a poll or two.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    /// <summary>The engine's grace period when none is configured: long enough for a submit in flight to come back.</summary>
    public static TimeSpan DefaultGracePeriod(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var attempt = configuration.GetSection(T8StarOptions.SectionName).GetValue(nameof(T8StarOptions.AttemptTimeout), T8StarOptions.DefaultAttemptTimeout);
        var submit = attempt + Margin;
        var engineDefault = JobEngineOptions.DefaultShutdownGracePeriod;
        return submit > engineDefault ? submit : engineDefault;
    }

    /// <summary>
    /// The host's own stop limit: the engine may use its grace period for handlers and as long again to store their
    /// outcomes, plus a few seconds for the other services.
    /// </summary>
    public static IServiceCollection AddGridQueueShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var grace = configuration.GetSection(JobEngineOptions.SectionName).GetValue(nameof(JobEngineOptions.ShutdownGracePeriod), DefaultGracePeriod(configuration));
        services.Configure<HostOptions>(host =>
        {
            var needed = (grace * 2) + TimeSpan.FromSeconds(5);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return services;
    }
}
