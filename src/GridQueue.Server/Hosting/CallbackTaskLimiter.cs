using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Hosting;

/// <summary>
/// The per-task part of the callback limits (the global part is the "callbacks" policy of <see cref="RateLimits"/>):
/// a fixed one-minute window per task id. It is asked only once a token checked out, so it counts a task's genuine
/// callbacks (or replays of them), and a storm of them polls the task at most this many times a minute.
/// </summary>
public sealed class CallbackTaskLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public CallbackTaskLimiter(IOptions<CallbackLimitOptions> options)
    {
        var perMinute = options.Value.PerTaskPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(taskId => perMinute <= 0
            ? RateLimitPartition.GetNoLimiter(taskId)
            : RateLimitPartition.GetFixedWindowLimiter(taskId, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
    }

    /// <summary>Null when the task may be woken now; else how long until it may.</summary>
    public TimeSpan? Refuse(string taskId)
    {
        using var lease = _limiter.AttemptAcquire(taskId);
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
