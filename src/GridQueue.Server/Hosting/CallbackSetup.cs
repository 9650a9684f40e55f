using GridQueue.Server.Api;
using GridQueue.Tasks.Callbacks;
using GridQueue.Tasks.Options;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Upstream callbacks: Server__PublicUrl turns them on (checked at start-up), Callbacks__* limit them, and with them
/// on the poll interval's default grows to <see cref="PollIntervalWithCallbacks"/>, the callback doing the waking.
/// </summary>
public static class CallbackSetup
{
    /// <summary>
    /// Tasks__PollInterval's default when Server__PublicUrl is set. Polling stays as the fallback for callbacks that
    /// are lost, refused or never sent (an upstream may not call at all), so it bounds how late such a task is seen
    /// to end; 30 s is also the poll interval's default cap (Tasks__PollMaxInterval).
    /// </summary>
    public static readonly TimeSpan PollIntervalWithCallbacks = TimeSpan.FromSeconds(30);

    /// <summary>True when Server__PublicUrl is set (valid or not: a bad value stops start-up).</summary>
    public static bool CallbacksConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{UpstreamCallbackOptions.SectionName}:{nameof(UpstreamCallbackOptions.PublicUrl)}"]);

    /// <summary>The poll interval default for this configuration; an explicit Tasks__PollInterval, bound afterwards, wins.</summary>
    public static void ApplyPollDefault(TasksOptions tasks, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (CallbacksConfigured(configuration))
        {
            tasks.PollInterval = PollIntervalWithCallbacks;
        }
    }

    public static IServiceCollection AddGridQueueCallbacks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<UpstreamCallbackOptions>(configuration.GetSection(UpstreamCallbackOptions.SectionName));
        services.AddOptions<CallbackLimitOptions>().Bind(configuration.GetSection(CallbackLimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CallbackTaskLimiter>();
        return services;
    }

    /// <summary>The callback route's path prefix; the rest of such a path holds the token.</summary>
    public static bool IsCallbackPath(PathString path) =>
        path.StartsWithSegments("/api/v1/callbacks", StringComparison.Ordinal);

    /// <summary>What spans record as the path of a callback request: the template, never the token.</summary>
    public const string RedactedPath = "/api/v1" + UpstreamCallbackEndpoint.Route;
}
