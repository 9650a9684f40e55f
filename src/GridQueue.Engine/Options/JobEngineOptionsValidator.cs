using Microsoft.Extensions.Options;

namespace GridQueue.Engine.Options;

/// <summary>Checks every setting, and how they fit together, with messages that say what to change.</summary>
public sealed class JobEngineOptionsValidator : IValidateOptions<JobEngineOptions>
{
    private const string P = JobEngineOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, JobEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (options.NodeId is { } node && (string.IsNullOrWhiteSpace(node) || node.Length > 255))
        {
            errors.Add($"{P}NodeId must be 1–255 characters when set (got '{node}'); leave it unset to use host name and process id.");
        }

        if (options.MaxWorkers is < 1 or > 10_000)
        {
            errors.Add($"{P}MaxWorkers must be between 1 and 10000 (got {options.MaxWorkers}).");
        }

        if (options.ClaimAhead is < 0 or > 10_000)
        {
            errors.Add($"{P}ClaimAhead must be between 0 and 10000 when set (got {options.ClaimAhead}); 0 turns claiming ahead off.");
        }

        if (options.ClaimAheadMaxWait <= TimeSpan.Zero || options.ClaimAheadMaxWait > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{P}ClaimAheadMaxWait must be more than 0 and at most 1 minute (got {options.ClaimAheadMaxWait}).");
        }

        foreach (var (queue, q) in options.Queues)
        {
            if (string.IsNullOrWhiteSpace(queue) || queue.Length > 255)
            {
                errors.Add($"{P}Queues has a name that is empty or longer than 255 characters ('{queue}').");
            }

            if (q.MaxRunning is < 1)
            {
                errors.Add($"{P}Queues:{queue}:MaxRunning must be at least 1 when set (got {q.MaxRunning}); remove it for no limit.");
            }
        }

        if (options.MaxRunningPerFairnessKey is < 1)
        {
            errors.Add($"{P}MaxRunningPerFairnessKey must be at least 1 when set (got {options.MaxRunningPerFairnessKey}); remove it for no limit.");
        }

        if (options.DefaultMaxAttempts is < 1 or > 1000)
        {
            errors.Add($"{P}DefaultMaxAttempts must be between 1 and 1000 (got {options.DefaultMaxAttempts}).");
        }

        if (options.MaxErrorsKept is < 1 or > 100)
        {
            errors.Add($"{P}MaxErrorsKept must be between 1 and 100 (got {options.MaxErrorsKept}).");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{P}LeaseDuration must be at least 1 s (got {options.LeaseDuration}); a shorter lease would expire while its heartbeat is still on the way.");
        }

        RequirePositive(errors, nameof(options.CancelCheckInterval), options.CancelCheckInterval);
        RequirePositive(errors, nameof(options.PollInterval), options.PollInterval);
        RequirePositive(errors, nameof(options.RescueInterval), options.RescueInterval);
        RequirePositive(errors, nameof(options.RetryBaseDelay), options.RetryBaseDelay);
        RequirePositive(errors, nameof(options.CleanupInterval), options.CleanupInterval);
        RequirePositive(errors, nameof(options.FinishedJobRetention), options.FinishedJobRetention);
        RequirePositive(errors, nameof(options.DiscardedJobRetention), options.DiscardedJobRetention);

        if (options.ShutdownGracePeriod < TimeSpan.Zero)
        {
            errors.Add($"{P}ShutdownGracePeriod cannot be negative (got {options.ShutdownGracePeriod}); use 0 to stop without waiting.");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            errors.Add($"{P}RetryMaxDelay ({options.RetryMaxDelay}) must be at least RetryBaseDelay ({options.RetryBaseDelay}).");
        }

        if (options.CancelCheckInterval > options.LeaseDuration / 3)
        {
            errors.Add($"{P}CancelCheckInterval ({options.CancelCheckInterval}) must be at most a third of LeaseDuration ({options.LeaseDuration}): leases are renewed on that beat, and a slower one lets healthy jobs' leases lapse.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RequirePositive(List<string> errors, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{P}{setting} must be greater than zero (got {value}).");
        }
    }
}
