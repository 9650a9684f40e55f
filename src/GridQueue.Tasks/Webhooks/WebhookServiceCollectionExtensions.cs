using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Webhooks;

/// <summary>Registers completion webhooks; <see cref="Hosting.TasksServiceCollectionExtensions.AddGridQueueTasks"/> calls it.</summary>
public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="WebhookOptions"/> (validated at start; binding configuration is the host's job), the
    /// destination rules, the hook that queues deliveries, the delivery handler and its named HttpClient.
    /// </summary>
    public static IServiceCollection AddGridQueueWebhooks(this IServiceCollection services, Action<WebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WebhookOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(WebhookDestinations)))
        {
            return services;
        }

        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WebhookDestinations>();
        services.AddSingleton<TaskEndWebhooks>();
        services.AddSingleton<WebhookDeliveryHandler>();

        // No resilience pipeline: each retry is a durable engine job of its own (WebhookDeliveryHandler), and the
        // delivery's own timeout bounds the call.
        services.AddHttpClient(WebhookHttp.ClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookHttp.CreateHandler(sp.GetRequiredService<WebhookDestinations>()));
        return services;
    }
}
