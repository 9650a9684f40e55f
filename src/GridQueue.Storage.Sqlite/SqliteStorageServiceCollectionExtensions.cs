using GridQueue.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Storage.Sqlite;

/// <summary>Registers the SQLite store as the engine's <see cref="IJobStore"/>.</summary>
public static class SqliteStorageServiceCollectionExtensions
{
    public static IServiceCollection AddGridQueueSqliteStorage(
        this IServiceCollection services, Action<SqliteStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<SqliteStorageOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteJobStore(
            sp.GetRequiredService<IOptions<SqliteStorageOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<SqliteJobStore>>()));
        services.TryAddSingleton<IJobStore>(sp => sp.GetRequiredService<SqliteJobStore>());
        return services;
    }
}
