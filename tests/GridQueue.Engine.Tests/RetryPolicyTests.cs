using GridQueue.Engine.Engine;
using GridQueue.Engine.Options;
using Xunit;

namespace GridQueue.Engine.Tests;

public sealed class RetryPolicyTests
{
    private readonly RetryPolicy _policy = new(new JobEngineOptions
    {
        RetryBaseDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromMinutes(1),
    });

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(500, 60)]
    public void NextDelay_DoublesUpToCapWithinJitter(int attempt, double expectedSeconds)
    {
        for (var i = 0; i < 200; i++)
        {
            var delay = _policy.NextDelay(attempt).TotalSeconds;
            Assert.InRange(delay, expectedSeconds * (1 - RetryPolicy.Jitter), expectedSeconds * (1 + RetryPolicy.Jitter));
        }
    }

    [Fact]
    public void NextDelay_IsJittered()
    {
        var delays = Enumerable.Range(0, 50).Select(_ => _policy.NextDelay(3)).Distinct().Count();

        Assert.True(delays > 40, $"only {delays} distinct delays in 50 draws");
    }
}
