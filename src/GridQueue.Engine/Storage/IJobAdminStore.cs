using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Storage;

/// <summary>
/// What an operator's console asks of the job table beyond the engine's own needs: counts, recent throughput and the
/// purge of dead letters. Running jobs and dead letters themselves are read with <see cref="IJobStore.JobListAsync"/>,
/// and a dead letter is put back with <see cref="IJobStore.JobRequeueAsync"/>. Every backend passes one shared suite.
/// </summary>
public interface IJobAdminStore
{
    /// <summary>How many jobs each queue holds in each state (only pairs with at least one job).</summary>
    Task<IReadOnlyList<JobStateCount>> JobCountByQueueAndStateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Jobs completed and discarded from <paramref name="since"/> on, counted per bucket of <paramref name="bucket"/>
    /// (bucket n covers [since + n·bucket, since + (n+1)·bucket)); only buckets with at least one job, oldest first.
    /// </summary>
    Task<IReadOnlyList<JobFinishCount>> JobCountFinishedSinceAsync(DateTimeOffset since, TimeSpan bucket, CancellationToken cancellationToken);

    /// <summary>Deletes those of the jobs that are discarded (dead letters); returns the ids it deleted.</summary>
    Task<IReadOnlyList<long>> JobDeleteDiscardedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken);
}

/// <summary>The number of jobs of one queue in one state.</summary>
public sealed record JobStateCount(string Queue, JobState State, long Count);

/// <summary>Jobs that finished in one time bucket: completed, and discarded (dead letters).</summary>
public sealed record JobFinishCount(DateTimeOffset BucketStart, long Completed, long Discarded);
