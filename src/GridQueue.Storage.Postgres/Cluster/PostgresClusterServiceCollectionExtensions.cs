using GridQueue.Engine.Storage;
using GridQueue.Tasks.Events;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>
/// Registers what lets several nodes share one PostgreSQL database besides the stores: the task event feed (the push
/// hub hears other nodes' commits), one leader for the chores, and the Data Protection key ring in the database.
/// Call after <c>AddGridQueuePostgresStorage</c>. (The job store announces new jobs itself.)
/// </summary>
public static class PostgresClusterServiceCollectionExtensions
{
    public static IServiceCollection AddGridQueuePostgresCluster(
        this IServiceCollection services, Action<PostgresClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<PostgresClusterOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PostgresTaskEventFeed(sp.GetRequiredService<PostgresJobStore>()));
        services.TryAddSingleton<ITaskEventFeed>(sp => sp.GetRequiredService<PostgresTaskEventFeed>());
        services.TryAddSingleton(sp => new PostgresLeaderElector(
            ConnectionString(sp),
            sp.GetRequiredService<IOptions<PostgresClusterOptions>>().Value.LeaderRetryInterval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<PostgresLeaderElector>>()));
        services.TryAddSingleton<ILeaderElector>(sp => sp.GetRequiredService<PostgresLeaderElector>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresLeaderElector>());
        services.AddOptions<KeyManagementOptions>()
            .Configure<PostgresJobStore>((options, store) => options.XmlRepository = new PostgresKeyRing(store));
        return services;
    }

    private static string ConnectionString(IServiceProvider services) =>
        services.GetRequiredService<IOptions<PostgresStorageOptions>>().Value.ConnectionString;
}
