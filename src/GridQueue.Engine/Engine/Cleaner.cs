namespace GridQueue.Engine.Engine;

/// <summary>Deletes finished jobs once their retention has passed, in small batches so no transaction is long.</summary>
internal sealed class Cleaner(EngineContext context) : PeriodicService(context, "cleaner", context.Options.CleanupInterval)
{
    private const int BatchSize = 1000;

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var options = Context.Options;
        int deleted;
        do
        {
            var now = Context.Time.GetUtcNow();
            deleted = await Context.Store.JobDeleteFinishedAsync(
                now - options.FinishedJobRetention, now - options.DiscardedJobRetention, BatchSize, cancellationToken)
                .ConfigureAwait(false);
            if (deleted > 0)
            {
                Log.Cleaned(Context.Logger, deleted);
            }
        }
        while (deleted == BatchSize);
    }
}
