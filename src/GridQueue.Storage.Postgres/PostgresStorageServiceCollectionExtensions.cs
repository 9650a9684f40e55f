using GridQueue.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Storage.Postgres;

/// <summary>Registers the PostgreSQL store as the engine's <see cref="IJobStore"/>.</summary>
public static class PostgresStorageServiceCollectionExtensions
{
    public static IServiceCollection AddGridQueuePostgresStorage(
        this IServiceCollection services, Action<PostgresStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<PostgresStorageOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PostgresJobStore(
            sp.GetRequiredService<IOptions<PostgresStorageOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IJobStore>(sp => sp.GetRequiredService<PostgresJobStore>());
        return services;
    }
}
