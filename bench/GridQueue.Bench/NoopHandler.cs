using System.Collections.Concurrent;
using System.Diagnostics;
using GridQueue.Engine.Execution;

namespace GridQueue.Bench;

/// <summary>
/// The throughput phase's handler: does nothing, completes, and records which jobs ran and how often. Signals
/// <see cref="AllHandled"/> when the expected number of distinct jobs has run.
/// </summary>
internal sealed class NoopHandler(int expected) : IJobHandler
{
    public const string Kind = "noop";

    private static readonly Task<JobOutcome> Completed = Task.FromResult(JobOutcome.Completed);
    private readonly ConcurrentDictionary<long, int> _runs = new();
    private readonly TaskCompletionSource<long> _allHandled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _distinct;

    /// <summary>Completes with the Stopwatch timestamp at which the last expected job started.</summary>
    public Task<long> AllHandled => _allHandled.Task;

    /// <summary>Distinct jobs run so far.</summary>
    public int Distinct => Volatile.Read(ref _distinct);

    public Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_runs.AddOrUpdate(context.Job.Id, 1, static (_, n) => n + 1) == 1
            && Interlocked.Increment(ref _distinct) == expected)
        {
            _allHandled.TrySetResult(Stopwatch.GetTimestamp());
        }

        return Completed;
    }

    /// <summary>Jobs whose handler ran more than once.</summary>
    public int RanMoreThanOnce() => _runs.Count(r => r.Value > 1);

    public bool Ran(long id) => _runs.ContainsKey(id);
}
