using System.Threading.Channels;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Engine;

/// <summary>
/// Stores outcomes in batches: whatever has accumulated while the previous batch was being written goes in the
/// next transaction, so a busy engine pays one commit for many jobs and an idle one writes each at once.
/// </summary>
internal sealed class Completer(EngineContext context, Action<DateTimeOffset?> onStored)
{
    private const int MaxBatch = 1000;
    private static readonly TimeSpan FailurePause = TimeSpan.FromSeconds(1);

    private readonly Channel<(RunningJob Run, JobFinalization Change)> _queue =
        Channel.CreateBounded<(RunningJob, JobFinalization)>(new BoundedChannelOptions(10_000) { SingleReader = true });

    private readonly CancellationTokenSource _abort = new();
    private Task? _loop;

    public void Start() => _loop ??= Task.Run(LoopAsync);

    /// <summary>Queues an outcome to store. False once the completer has stopped (the engine is shutting down).</summary>
    public async ValueTask<bool> EnqueueAsync(RunningJob run, JobFinalization change)
    {
        while (await _queue.Writer.WaitToWriteAsync().ConfigureAwait(false))
        {
            if (_queue.Writer.TryWrite((run, change)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes what is queued, then ends. If <paramref name="cancellationToken"/> fires first, gives up on the rest.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is null)
        {
            return;
        }

        await using var registration = cancellationToken.Register(_abort.Cancel);
        await _loop.ConfigureAwait(false);
    }

    private async Task LoopAsync()
    {
        var batch = new List<(RunningJob Run, JobFinalization Change)>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (!await WriteAsync(batch).ConfigureAwait(false))
            {
                return;
            }

            batch.Clear();
        }
    }

    /// <summary>Writes one batch, retrying through database errors until it lands or the stop is aborted.</summary>
    private async Task<bool> WriteAsync(List<(RunningJob Run, JobFinalization Change)> batch)
    {
        var changes = batch.ConvertAll(b => b.Change);
        while (true)
        {
            try
            {
                var results = await context.Store.JobFinalizeManyAsync(changes, _abort.Token).ConfigureAwait(false);
                AfterStored(batch, results);
                return true;
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                Log.LoopFailed(context.Logger, ex, context.Node, "completer", FailurePause);
                try
                {
                    await Task.Delay(FailurePause, context.Time, _abort.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_abort.IsCancellationRequested)
                {
                    return false;
                }
            }
        }
    }

    private void AfterStored(List<(RunningJob Run, JobFinalization Change)> batch, IReadOnlyList<JobFinalizeResult> results)
    {
        DateTimeOffset? earliestDue = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var (run, change) = batch[i];
            var result = results[i];
            context.Forget(run);
            if (!result.Applied)
            {
                Log.FinalizationRefused(context.Logger, run.Job.Id, result.State?.ToStorageName() ?? "deleted");
            }
            else if (change.ScheduledAt is { } due && result.State is JobState.Scheduled or JobState.Retryable)
            {
                earliestDue = earliestDue is null || due < earliestDue ? due : earliestDue;
            }
        }

        onStored(earliestDue);
    }
}
