using System.Diagnostics;
using GridQueue.Engine.Execution;

namespace GridQueue.Bench;

/// <summary>
/// The pickup-latency phase's handler: the moment it starts, it reports the job id and a Stopwatch timestamp to
/// whoever armed it. Probes go one at a time, so one armed slot is enough.
/// </summary>
internal sealed class ProbeHandler : IJobHandler
{
    public const string Kind = "probe";

    private static readonly Task<JobOutcome> Completed = Task.FromResult(JobOutcome.Completed);
    private TaskCompletionSource<(long JobId, long StartedAt)>? _armed;

    /// <summary>Prepares for the next probe; the returned task completes when a probe handler starts.</summary>
    public Task<(long JobId, long StartedAt)> Arm()
    {
        var source = new TaskCompletionSource<(long, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, source);
        return source.Task;
    }

    public Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        ArgumentNullException.ThrowIfNull(context);
        Volatile.Read(ref _armed)?.TrySetResult((context.Job.Id, startedAt));
        return Completed;
    }
}
