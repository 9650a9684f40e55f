using GridQueue.Engine.Storage;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// Group commit for outcomes: while one finalize statement is on its way to the database, every other caller's
/// finalizations wait and then go together in the next statement (one round trip and one commit for all of them).
/// An engine already batches its own outcomes; this joins the batches of several engines (or other callers) that
/// share the store. A caller alone pays nothing extra: with no statement in flight its batch goes at once.
/// </summary>
internal sealed class FinalizeCoalescer(
    Func<IReadOnlyList<JobFinalization>, CancellationToken, Task<IReadOnlyList<JobFinalizeResult>>> write)
{
    /// <summary>A statement carries at most this many finalizations; more wait for the next.</summary>
    private const int MaxBatch = 5000;

    private readonly Lock _gate = new();
    private readonly List<Pending> _waiting = [];
    private bool _writing;

    public async Task<IReadOnlyList<JobFinalizeResult>> FinalizeAsync(
        IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken)
    {
        var mine = new Pending(finalizations);
        bool lead;
        lock (_gate)
        {
            _waiting.Add(mine);
            lead = !_writing;
            _writing = true;
        }

        if (lead)
        {
            // The leader writes until nothing waits; callers who arrive meanwhile only wait for their answer. It runs
            // off the caller's cancellation: other callers' outcomes ride on the same statement.
            _ = Task.Run(WriteUntilEmptyAsync, CancellationToken.None);
        }

        return await mine.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteUntilEmptyAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = Take();
            }

            var all = batch.SelectMany(p => p.Finalizations).ToList();
            try
            {
                var results = await write(all, CancellationToken.None).ConfigureAwait(false);
                var offset = 0;
                foreach (var pending in batch)
                {
                    pending.Answer.TrySetResult([.. results.Skip(offset).Take(pending.Finalizations.Count)]);
                    offset += pending.Finalizations.Count;
                }
            }
            catch (Exception ex)
            {
                // Every caller of the failed statement sees the failure and retries as it would have alone.
                foreach (var pending in batch)
                {
                    pending.Answer.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>Takes waiting callers up to <see cref="MaxBatch"/> finalizations (always at least one caller).</summary>
    private List<Pending> Take()
    {
        var taken = new List<Pending>();
        var count = 0;
        while (_waiting.Count > 0 && (taken.Count == 0 || count + _waiting[0].Finalizations.Count <= MaxBatch))
        {
            count += _waiting[0].Finalizations.Count;
            taken.Add(_waiting[0]);
            _waiting.RemoveAt(0);
        }

        return taken;
    }

    private sealed class Pending(IReadOnlyList<JobFinalization> finalizations)
    {
        public IReadOnlyList<JobFinalization> Finalizations { get; } = finalizations;

        public TaskCompletionSource<IReadOnlyList<JobFinalizeResult>> Answer { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
