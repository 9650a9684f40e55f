using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Hosting;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>The engine and the SQLite store wired into a real .NET host, the way a server uses them.</summary>
public sealed class HostingTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task Host_WithEngineAndSqlite_MigratesAtStartAndRunsJobs()
    {
        var ran = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(
            o => o.MaxWorkers = 4,
            handlers => handlers.Add("hello", (ctx, _) =>
            {
                ran.TrySetResult(ctx.Job.Id);
                return Task.FromResult(JobOutcome.Completed);
            }));

        await host.StartAsync();
        var engine = host.Services.GetRequiredService<JobEngine>();
        var inserted = await engine.InsertAsync(new NewJob("hello", "{}"));

        Assert.Equal(inserted.Job.Id, await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await engine.Store.IsReadyAsync(CancellationToken.None));
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_WithInvalidEngineOptions_FailsAtStartNamingTheSetting()
    {
        using var host = Build(o => o.LeaseDuration = TimeSpan.FromMilliseconds(10), _ => { });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("GridQueue:Engine:LeaseDuration must be at least 1 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_WithInvalidSynchronousSetting_FailsAtStart()
    {
        using var host = Build(_ => { }, _ => { }, sqlite => sqlite.Synchronous = "SOMETIMES");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Synchronous must be FULL, NORMAL, EXTRA or OFF", ex.Message, StringComparison.Ordinal);
    }

    private IHost Build(
        Action<JobEngineOptions> engine, Action<JobHandlerRegistry> handlers, Action<SqliteStorageOptions>? sqlite = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGridQueueSqliteStorage(o =>
        {
            o.ConnectionString = _database.Options.ConnectionString;
            sqlite?.Invoke(o);
        });
        builder.Services.AddGridQueueEngine(engine, handlers);
        return builder.Build();
    }
}
