using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Engine.Hosting;

/// <summary>
/// Registers the engine in a host. A storage package registers the <see cref="IJobStore"/> and, for a database that
/// several nodes share, an <see cref="ILeaderElector"/>.
/// </summary>
public static class JobEngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine as a hosted service, its options (validated at start) and a handler registry that
    /// <paramref name="configureHandlers"/> fills.
    /// </summary>
    public static IServiceCollection AddGridQueueEngine(
        this IServiceCollection services,
        Action<JobEngineOptions>? configure,
        Action<JobHandlerRegistry> configureHandlers)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureHandlers);
        var builder = services.AddOptions<JobEngineOptions>().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobEngineOptions>, JobEngineOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ =>
        {
            var registry = new JobHandlerRegistry();
            configureHandlers(registry);
            return registry;
        });
        services.TryAddSingleton(sp => new JobEngine(
            sp.GetRequiredService<IJobStore>(),
            sp.GetRequiredService<IOptions<JobEngineOptions>>().Value,
            sp.GetRequiredService<JobHandlerRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp,
            sp.GetService<ILeaderElector>()));
        services.AddHostedService(sp => sp.GetRequiredService<JobEngine>());
        return services;
    }
}
