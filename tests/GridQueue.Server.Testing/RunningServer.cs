using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GridQueue.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GridQueue.Server.Testing;

/// <summary>
/// The real server (ServerApp.Build, Kestrel on a free loopback port, a SQLite file in a temporary folder), in this
/// process. Tests talk to it over HTTP only.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsFolder;

    private RunningServer(WebApplication app, string folder, bool ownsFolder, Uri address, FailingErrorLoggerProvider errors)
    {
        _app = app;
        ErrorLog = errors;
        Folder = folder;
        _ownsFolder = ownsFolder;
        Address = address;
    }

    /// <summary>The base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>The folder holding the database and the Data Protection keys.</summary>
    public string Folder { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Error-level entries the server logged.</summary>
    public FailingErrorLoggerProvider ErrorLog { get; }

    /// <summary>
    /// Settings every test server gets unless the test overrides them: dev tokens, fast polls, a short simulator. The
    /// servers run in the Production environment (nothing sets another), where dev mode needs Auth:AllowDevMode.
    /// </summary>
    public static Dictionary<string, string?> Defaults(string folder) => new(StringComparer.Ordinal)
    {
        ["Storage:ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}",
        ["Auth:Mode"] = "dev",
        ["Auth:AllowDevMode"] = "true",
        ["Providers:Simulator:Duration"] = "00:00:01.500",
        ["Tasks:PollInterval"] = "00:00:00.200",
        ["GridQueue:Engine:PollInterval"] = "00:00:00.200",
        ["GridQueue:Engine:ShutdownGracePeriod"] = "00:00:01",
        ["Api:GeneratePerMinute"] = "0",
        ["Api:ActionsPerMinute"] = "0",
    };

    /// <param name="settings">Overrides of <see cref="Defaults"/> (a null value removes a default).</param>
    /// <param name="folder">An existing folder to reuse (a restart on the same database), else a new temporary one.</param>
    /// <param name="port">A fixed loopback port (a restart at the same address, for a browser page), else a free one.</param>
    /// <param name="services">Extra services, registered before the server's own (a test's own provider, say).</param>
    public static async Task<RunningServer> StartAsync(
        IDictionary<string, string?>? settings = null, string? folder = null, int port = 0, Action<IServiceCollection>? services = null)
    {
        var ownsFolder = folder is null;
        folder ??= Directory.CreateTempSubdirectory("gq-server-test-").FullName;
        var merged = Defaults(folder);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        var errors = new FailingErrorLoggerProvider();
        var app = ServerApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(merged.Where(kv => kv.Value is not null));
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(errors);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RunningServer(app, folder, ownsFolder, new Uri(address.EndsWith('/') ? address : address + "/"), errors);
    }

    /// <summary>A client with no token.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client signed in as <paramref name="userId"/> with a dev token.</summary>
    public async Task<HttpClient> CreateClientAsync(string userId)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(userId));
        return client;
    }

    public async Task<string> TokenAsync(string userId)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("api/v1/dev/token", new { user_id = userId });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("data").GetProperty("token").GetString()!;
    }

    /// <summary>Stops the server, leaving the folder (for a restart test).</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped by the test.
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsFolder)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a background thread; the temporary folder is left for the OS to clean.
            }
        }
    }
}
