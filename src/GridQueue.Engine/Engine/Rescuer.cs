namespace GridQueue.Engine.Engine;

/// <summary>
/// Moves on running jobs whose lease expired (their node died or stalled), on the leader: the update is conditional,
/// so two rescuers racing (a leader change in flight) still do the work once. Rescued jobs run again with the attempt
/// counted.
/// </summary>
internal sealed class Rescuer(EngineContext context, Action onRescued)
    : PeriodicService(context, "rescuer", context.Options.RescueInterval)
{
    private const int BatchSize = 1000;

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        int count;
        do
        {
            var rescued = await Context.Store.JobRescueExpiredAsync(
                    Context.Time.GetUtcNow(), BatchSize, Context.Options.MaxErrorsKept, cancellationToken)
                .ConfigureAwait(false);
            count = rescued.Count;
            if (count > 0)
            {
                Log.Rescued(Context.Logger, count);
                Context.Metrics.Rescued(count);
                onRescued();
            }
        }
        while (count == BatchSize);
    }
}
