using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Options;
using Xunit;

namespace GridQueue.Engine.Tests;

public sealed class JobEngineLifecycleTests
{
    [Fact]
    public async Task Stop_WhileStartIsMigrating_StartsNothing()
    {
        var migration = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new UnusedStore { MigrationGate = migration.Task };
        var engine = new JobEngine(store, new JobEngineOptions { PollInterval = TimeSpan.FromMilliseconds(50) }, new JobHandlerRegistry());

        var start = engine.StartAsync(CancellationToken.None);
        await engine.StopAsync(CancellationToken.None);
        migration.SetResult();
        await start;
        await Task.Delay(300);

        Assert.Empty(store.Reached);
    }

    [Fact]
    public async Task Start_AfterStop_Throws()
    {
        var engine = new JobEngine(new UnusedStore { MigrationGate = Task.CompletedTask }, new JobEngineOptions(), new JobHandlerRegistry());
        await engine.StartAsync(CancellationToken.None);
        await engine.StopAsync(CancellationToken.None);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.StartAsync(CancellationToken.None));

        Assert.Contains("create a new engine", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WhenMigrationFails_CanBeTriedAgain()
    {
        var store = new UnusedStore();
        var engine = new JobEngine(store, new JobEngineOptions(), new JobHandlerRegistry());

        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.StartAsync(CancellationToken.None));
        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.StartAsync(CancellationToken.None));

        Assert.Contains("MigrateAsync", again.Message, StringComparison.Ordinal);
        Assert.Equal(["MigrateAsync", "MigrateAsync"], store.Reached);
    }
}
