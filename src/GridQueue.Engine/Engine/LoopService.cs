using Microsoft.Extensions.Logging;

namespace GridQueue.Engine.Engine;

/// <summary>
/// A background loop that survives its own failures: an exception is logged and the loop resumes after a pause.
/// Start and stop are idempotent, and stopping one that never started does nothing.
/// </summary>
internal abstract class LoopService(EngineContext context, string name)
{
    private static readonly TimeSpan FailurePause = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private CancellationTokenSource? _stop;
    private Task? _loop;

    protected EngineContext Context { get; } = context;

    public void Start()
    {
        lock (_gate)
        {
            if (_loop is not null)
            {
                return;
            }

            _stop = new CancellationTokenSource();
            var token = _stop.Token;
            _loop = Task.Run(() => LoopAsync(token), CancellationToken.None);
        }
    }

    public async Task StopAsync()
    {
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
            _stop?.Cancel();
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }
    }

    /// <summary>Runs until <paramref name="stopping"/> is signalled; may return early to be called again.</summary>
    protected abstract Task RunAsync(CancellationToken stopping);

    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await RunAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.LoopFailed(Context.Logger, ex, Context.Node, name, FailurePause);
                try
                {
                    await Task.Delay(FailurePause, Context.Time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>
/// A loop that does one round of work every interval, on the cluster's leader only: its work concerns the whole
/// database, so one node doing it is enough (see <see cref="Storage.ILeaderElector"/>).
/// </summary>
internal abstract class PeriodicService(EngineContext context, string name, TimeSpan interval)
    : LoopService(context, name)
{
    protected sealed override async Task RunAsync(CancellationToken stopping)
    {
        await Task.Delay(EngineContext.Jittered(interval), Context.Time, stopping).ConfigureAwait(false);
        if (Context.Leader.IsLeader)
        {
            await RunOnceAsync(stopping).ConfigureAwait(false);
        }
    }

    public abstract Task RunOnceAsync(CancellationToken cancellationToken);
}
