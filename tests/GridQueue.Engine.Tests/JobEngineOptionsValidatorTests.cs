using GridQueue.Engine.Engine;
using GridQueue.Engine.Execution;
using GridQueue.Engine.Options;
using Microsoft.Extensions.Options;
using Xunit;

namespace GridQueue.Engine.Tests;

public sealed class JobEngineOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(Action<JobEngineOptions> change)
    {
        var options = new JobEngineOptions();
        change(options);
        return new JobEngineOptionsValidator().Validate(null, options);
    }

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validate(_ => { }).Succeeded);

    [Theory]
    [InlineData("MaxWorkers")]
    [InlineData("LeaseDuration")]
    [InlineData("RetryMaxDelay")]
    [InlineData("CancelCheckInterval")]
    [InlineData("Queues:video:MaxRunning")]
    [InlineData("MaxRunningPerFairnessKey")]
    [InlineData("DefaultMaxAttempts")]
    [InlineData("PollInterval")]
    public void Validate_BadSetting_NamesTheSettingWithItsSection(string setting)
    {
        var result = Validate(o =>
        {
            switch (setting)
            {
                case "MaxWorkers": o.MaxWorkers = 0; break;
                case "LeaseDuration": o.LeaseDuration = TimeSpan.FromMilliseconds(500); break;
                case "RetryMaxDelay": o.RetryMaxDelay = TimeSpan.FromMilliseconds(10); break;
                case "CancelCheckInterval": o.CancelCheckInterval = TimeSpan.FromMinutes(5); break;
                case "Queues:video:MaxRunning": o.Queues["video"] = new QueueOptions { MaxRunning = 0 }; break;
                case "MaxRunningPerFairnessKey": o.MaxRunningPerFairnessKey = 0; break;
                case "DefaultMaxAttempts": o.DefaultMaxAttempts = 0; break;
                case "PollInterval": o.PollInterval = TimeSpan.Zero; break;
            }
        });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith($"GridQueue:Engine:{setting} ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEach()
    {
        var result = Validate(o =>
        {
            o.MaxWorkers = -1;
            o.DefaultMaxAttempts = 5000;
        });

        Assert.Equal(2, result.Failures!.Count());
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithTheMessages()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new JobEngine(
            new UnusedStore(), new JobEngineOptions { MaxWorkers = 0 }, new JobHandlerRegistry()));

        Assert.Contains("MaxWorkers must be between 1 and 10000 (got 0)", ex.Message, StringComparison.Ordinal);
    }
}
