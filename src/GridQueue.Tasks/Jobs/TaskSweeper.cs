using GridQueue.Engine.Engine;
using GridQueue.Tasks.Model;
using GridQueue.Engine.Storage;
using GridQueue.Tasks.Options;
using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Jobs;

/// <summary>
/// Every task ends, whatever happens to the jobs that drive it. Every <see cref="TasksOptions.SweepInterval"/> the
/// sweeper fails, with a message naming the reason, each unfinished task whose attempt passed its deadline (the
/// upstream job is cancelled where the provider can) or whose driving job has finished, been given up (a dead letter:
/// out of attempts, a lease lost on the last one) or vanished; failing frees the task's slot and erases the user's
/// key. It also starts waiting tasks that a free slot should have started (<see cref="TaskSlots.WakeStartableAsync"/>).
/// Each change is a compare-and-set, so a handler finishing the same task at the same moment, or a sweeper on another
/// node, makes it happen once. A pass only reads unless it finds something to do. Where several nodes share the
/// database only the leader sweeps (<see cref="ILeaderElector"/>).
/// </summary>
public sealed partial class TaskSweeper(
    ITaskStore store,
    TaskDriver driver,
    TaskSlots slots,
    JobEngine engine,
    IOptions<TasksOptions> options,
    TimeProvider time,
    ILogger<TaskSweeper> logger,
    ILeaderElector? leader = null) : BackgroundService
{
    /// <summary>Tasks handled per batch of one pass (a pass repeats while batches are full).</summary>
    private const int BatchSize = 200;

    /// <summary>
    /// How long after its end a task may keep the user's key: an upstream cancel that kept it has long run (or been
    /// given up, after five attempts over seconds) by then.
    /// </summary>
    public static readonly TimeSpan KeptKeyGrace = TimeSpan.FromHours(1);

    private readonly TasksOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if ((leader ?? AlwaysLeader.Instance).IsLeader)
                    {
                        await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(e); // tried again at the next interval
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One pass; returns how many tasks it failed and how many waiting tasks it started.</summary>
    public async Task<(int Failed, int Woken)> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var failed = 0;
        int failedInBatch;
        IReadOnlyList<StuckTask> batch;
        do
        {
            failedInBatch = 0;
            batch = await store.TaskListStuckAsync(time.GetUtcNow() - _options.Deadline, BatchSize, cancellationToken).ConfigureAwait(false);
            foreach (var stuck in batch)
            {
                if (await EndAsync(stuck, cancellationToken).ConfigureAwait(false))
                {
                    failedInBatch++;
                }
            }

            failed += failedInBatch;
        }
        while (batch.Count == BatchSize && failedInBatch > 0); // a full batch that changed nothing waits for the next pass

        var woken = await slots.WakeStartableAsync(BatchSize, cancellationToken).ConfigureAwait(false);
        await store.TaskEraseKeptKeysAsync(time.GetUtcNow() - KeptKeyGrace, cancellationToken).ConfigureAwait(false);
        return (failed, woken);
    }

    private async Task<bool> EndAsync(StuckTask stuck, CancellationToken cancellationToken)
    {
        var task = stuck.Task;
        var pastDeadline = _options.DeadlineOf(task) is { } deadline && time.GetUtcNow() >= deadline;
        var inFlight = task is { Status: VideoTaskStatus.Running, SubmitState: SubmitState.InFlight };
        var message = !pastDeadline ? TaskMessages.JobEnded(stuck.JobState, stuck.JobLastError, inFlight)
            : inFlight ? $"{TaskMessages.Deadline(_options.Deadline)} {TaskMessages.OutcomeUnknown}"
            : TaskMessages.Deadline(_options.Deadline);

        // Only the row as it was read is failed: a task that moved on meanwhile (a handler finished it) is left alone.
        var ended = await driver.FailAsync(task, message, cancellationToken, cancelUpstream: pastDeadline, onlyAtVersion: task.Version).ConfigureAwait(false);
        if (ended is null)
        {
            return false;
        }

        if (task.JobId is { } jobId)
        {
            await engine.CancelAsync(jobId, cancellationToken).ConfigureAwait(false); // a waiting poll never runs again
        }

        LogEnded(task.Id, message);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not end by itself and was failed: {Reason}")]
    private partial void LogEnded(string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping unfinished tasks failed; trying again at the next interval.")]
    private partial void LogFailed(Exception exception);
}
