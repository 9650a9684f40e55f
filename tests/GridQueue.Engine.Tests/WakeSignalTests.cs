using GridQueue.Engine.Engine;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace GridQueue.Engine.Tests;

public sealed class WakeSignalTests
{
    [Fact]
    public async Task WaitAsync_SetBeforeWait_ReturnsAtOnceAndConsumesSignal()
    {
        var time = new FakeTimeProvider();
        var signal = new WakeSignal();
        signal.Set();

        await signal.WaitAsync(TimeSpan.FromHours(1), time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        var second = signal.WaitAsync(TimeSpan.FromHours(1), time, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        signal.Set();
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_TimesOutOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var wait = new WakeSignal().WaitAsync(TimeSpan.FromMinutes(10), time, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(10));

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        var wait = new WakeSignal().WaitAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
