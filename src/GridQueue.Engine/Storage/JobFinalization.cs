using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Storage;

/// <summary>
/// The end of one run, to be written only while the job is still running under the lease
/// (<see cref="Node"/>, <see cref="Claims"/>) that ran it.
/// </summary>
/// <param name="State">Completed, Cancelled, Discarded, Retryable (failed, will retry) or Scheduled (snoozed).</param>
/// <param name="ScheduledAt">For Retryable and Scheduled: when it may run again.</param>
/// <param name="Errors">For failures: the job's whole error list after this failure, already bounded.</param>
/// <param name="GiveBackAttempt">True for a snooze: the run does not use up an attempt.</param>
public sealed record JobFinalization(
    long Id,
    string Node,
    int Claims,
    JobState State,
    DateTimeOffset Now,
    DateTimeOffset? ScheduledAt,
    IReadOnlyList<JobError>? Errors,
    bool GiveBackAttempt);

/// <summary>Whether a finalization was applied, and the state the job ended in.</summary>
/// <param name="Applied">False when the job was no longer running under that lease; nothing was written.</param>
/// <param name="State">The state written (may be Cancelled when a cancel was requested), or the job's current state.</param>
public sealed record JobFinalizeResult(long Id, bool Applied, JobState? State);

/// <summary>A lease a node believes it holds: the job and its claim count when claimed.</summary>
public sealed record JobLease(long Id, int Claims);

/// <summary>What the database says about a lease.</summary>
/// <param name="Held">Still running under this node and claim.</param>
/// <param name="CancelRequested">A cancel was asked for; the handler should be signalled.</param>
public sealed record JobLeaseStatus(long Id, bool Held, bool CancelRequested);

/// <summary>A page of jobs for inspection.</summary>
public sealed record JobListQuery(JobState? State = null, string? Kind = null, long AfterId = 0, int Limit = 100);

/// <summary>Thrown when a re-queue would give a unique key to a second unfinished job.</summary>
public sealed class JobUniqueKeyConflictException(long id, string uniqueKey)
    : InvalidOperationException($"Job {id} cannot be re-queued: an unfinished job already holds its unique key '{uniqueKey}'.")
{
    public long JobId { get; } = id;
    public string UniqueKey { get; } = uniqueKey;
}
