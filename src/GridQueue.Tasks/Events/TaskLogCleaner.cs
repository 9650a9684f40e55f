using GridQueue.Engine.Storage;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Events;

/// <summary>
/// Deletes events older than the retention (the contract promises at least 24 h of replay) and expired
/// idempotency keys, in small batches so no write holds the database for long. Task rows are kept. Where several nodes
/// share the database only the leader cleans (<see cref="ILeaderElector"/>).
/// </summary>
public sealed partial class TaskLogCleaner(
    ITaskStore store, IOptions<TasksOptions> options, TimeProvider time, ILogger<TaskLogCleaner> logger, ILeaderElector? leader = null)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private const int BatchSize = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    if ((leader ?? AlwaysLeader.Instance).IsLeader)
                    {
                        await CleanOnceAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(e); // tried again at the next interval
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One pass; returns the events deleted.</summary>
    public async Task<int> CleanOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var total = 0;
        int deleted;
        do
        {
            deleted = await store.EventDeleteBeforeAsync(now - options.Value.EventRetention, BatchSize, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted == BatchSize);

        await store.IdempotencyKeyDeleteBeforeAsync(now - options.Value.IdempotencyWindow, cancellationToken).ConfigureAwait(false);
        return total;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaning the task event log failed; trying again later.")]
    private partial void LogFailed(Exception exception);
}
