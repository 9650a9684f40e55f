using GridQueue.Engine.Execution;
using GridQueue.Tasks.Callbacks;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Jobs;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Providers.Simulator;
using GridQueue.Tasks.Secrets;
using GridQueue.Tasks.Service;
using GridQueue.Tasks.Telemetry;
using GridQueue.Tasks.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GridQueue.Tasks.Hosting;

/// <summary>Registers the tasks layer. The host registers storage (ITaskStore), Data Protection and the engine.</summary>
public static class TasksServiceCollectionExtensions
{
    /// <summary>
    /// Adds the task service, the job handlers, the push hub, the log cleaner, the sweeper, the provider catalog and the
    /// in-process simulator provider (unless disabled). Register the handlers with <see cref="AddTaskHandlers"/>
    /// in the engine's handler registry.
    /// </summary>
    public static IServiceCollection AddGridQueueTasks(
        this IServiceCollection services,
        Action<TasksOptions>? configure = null,
        Action<ProvidersOptions>? configureProviders = null,
        Action<SimulatorProviderOptions>? configureSimulator = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var tasks = services.AddOptions<TasksOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            tasks.Configure(configure);
        }

        var providers = services.AddOptions<ProvidersOptions>();
        if (configureProviders is not null)
        {
            providers.Configure(configureProviders);
        }

        var simulator = new SimulatorProviderOptions();
        configureSimulator?.Invoke(simulator);
        if (simulator.Enabled)
        {
            services.AddOptions<SimulatorProviderOptions>().ValidateDataAnnotations().ValidateOnStart()
                .Configure(o => configureSimulator?.Invoke(o));
            services.AddSingleton<SimulatorProvider>();
            services.AddSingleton<IVideoProvider>(sp => sp.GetRequiredService<SimulatorProvider>());
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<TaskMetrics>();
        services.TryAddSingleton<ProviderCatalog>();
        services.TryAddSingleton<TaskChangeSignal>();
        services.TryAddSingleton<ApiKeyProtector>();

        // Off until the host configures a public URL (Configure<UpstreamCallbackOptions>); validated at start.
        services.AddOptions<UpstreamCallbackOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<CallbackTokens>();
        services.TryAddSingleton<UpstreamCallbacks>();
        services.TryAddSingleton<TaskService>();
        services.TryAddSingleton<TaskDriver>();
        services.TryAddSingleton<TaskSlots>();
        services.TryAddSingleton<TaskSweeper>();
        services.TryAddSingleton<SubmitHandler>();
        services.TryAddSingleton<PollHandler>();
        services.TryAddSingleton<CancelUpstreamHandler>();
        services.AddGridQueueWebhooks();
        services.TryAddSingleton<TaskEventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<TaskEventHub>());
        services.AddHostedService<TaskLogCleaner>();
        services.AddHostedService(sp => sp.GetRequiredService<TaskSweeper>());
        return services;
    }

    /// <summary>Registers the submit, poll, upstream-cancel and webhook delivery handlers in the engine's registry.</summary>
    public static JobHandlerRegistry AddTaskHandlers(this JobHandlerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .Add<SubmitHandler>(TaskJobs.Submit)
            .Add<PollHandler>(TaskJobs.Poll)
            .Add<CancelUpstreamHandler>(TaskJobs.CancelUpstream)
            .Add<WebhookDeliveryHandler>(WebhookJobs.Deliver);
    }
}
