using GridQueue.Engine.Hosting;
using GridQueue.Engine.Options;
using GridQueue.Server.Api;
using GridQueue.Server.Api.Admin;
using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Auth;
using GridQueue.Tasks.Hosting;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Providers.Simulator;
using GridQueue.Tasks.Providers.T8Star;
using GridQueue.Tasks.Webhooks;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace GridQueue.Server.Hosting;

/// <summary>Builds the server: configuration, services, middleware and routes. Program.cs and the tests call it.</summary>
public static class ServerApp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <param name="args">Command-line arguments (--Section:Key=value, --urls).</param>
    /// <param name="configure">Lets tests add configuration or services before the app is built.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json is found beside the program wherever it is started from; relative paths in settings
        // (the database file) still resolve against the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var configuration = builder.Configuration;
        if (!ListeningIsConfigured(configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var api = configuration.GetSection(ApiOptions.SectionName).Get<ApiOptions>() ?? new ApiOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = api.MaxBodyBytes);
        if (api.InlineScheduling)
        {
            // Sends go out on the thread that flushes them and requests start on the thread that read them, instead
            // of after every other queued work item: see ApiOptions.InlineScheduling.
            builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        }

        var services = builder.Services;
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddGridQueueStorage(configuration);
        services.AddGridQueueEngine(
            o =>
            {
                o.ShutdownGracePeriod = ShutdownSetup.DefaultGracePeriod(configuration);
                configuration.GetSection(JobEngineOptions.SectionName).Bind(o);
            },
            r => r.AddTaskHandlers());
        services.AddGridQueueShutdown(configuration);
        services.AddGridQueueTasks(
            o =>
            {
                CallbackSetup.ApplyPollDefault(o, configuration);
                configuration.GetSection(TasksOptions.SectionName).Bind(o);
            },
            o => configuration.GetSection(ProvidersOptions.SectionName).Bind(o),
            o => configuration.GetSection(SimulatorProviderOptions.SectionName).Bind(o));
        services.AddSingleton<ISimulatorVideoLocation, SampleVideoLocation>();
        services.AddGridQueueWebhooks(configuration.GetSection(WebhookOptions.SectionName).Bind);
        var t8star = configuration.GetSection(T8StarOptions.SectionName);
        if (!string.IsNullOrWhiteSpace(t8star["BaseUrl"]))
        {
            services.AddT8StarProvider(t8star.Bind);
        }

        var authOptions = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        var auth = AuthMode.Resolve(authOptions, builder.Environment.EnvironmentName);
        services.AddGridQueueAuth(auth);
        services.AddGridQueueCallbacks(configuration);
        services.AddGridQueueAdminPolicy(configuration);
        services.AddSingleton<DeadLetters>();
        services.AddGridQueueRateLimits(api, configuration.GetSection(CallbackLimitOptions.SectionName).Get<CallbackLimitOptions>());
        services.AddSingleton<StreamLimiter>();
        services.AddGridQueueCors(configuration);
        services.AddGridQueueOpenApi();
        services.AddGridQueueTelemetry(configuration);
        services.AddGridQueueProxies(configuration);

        var app = builder.Build();
        if (auth.IsDev && !app.Environment.IsDevelopment())
        {
            AuthLog.DevModeOutsideDevelopment(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuthMode)), app.Environment.EnvironmentName);
        }

        app.UseGridQueueProxies();
        app.UseGridQueueErrors();
        app.UseGridQueueCors();
        app.UseGridQueueTelemetry();
        app.UseDashboard();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapHealth();
        app.MapGridQueueOpenApi();
        var v1 = app.MapGroup("/api/v1");
        v1.MapVideoEndpoints();
        v1.MapEventStream();
        v1.MapServerInfo(auth);
        v1.MapUpstreamCallbacks();
        v1.MapAdminEndpoints();
        v1.MapMe();
        if (auth.IsDev)
        {
            v1.MapDevToken();
        }

        return app;
    }

    /// <summary>
    /// Whether the listening address comes from anywhere ASP.NET Core reads it: --urls or ASPNETCORE_URLS,
    /// ASPNETCORE_HTTP_PORTS / ASPNETCORE_HTTPS_PORTS (set by the official .NET container images), or Kestrel
    /// endpoints in configuration. Only when none is given does the server take its loopback default.
    /// </summary>
    internal static bool ListeningIsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
