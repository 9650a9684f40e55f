using System.Data.Common;
using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Storage;

/// <summary>
/// Everything the engine asks of a database, one method per domain operation. Each backend (SQLite, PostgreSQL)
/// implements it with its own SQL and passes the shared storage test suite. Every method that compares or writes
/// times takes "now" from the caller, so the engine's TimeProvider is the only clock.
/// </summary>
public interface IJobStore
{
    /// <summary>A short name for logs and benchmarks, e.g. "sqlite".</summary>
    string Name { get; }

    /// <summary>Applies the numbered migrations this build knows and has not yet applied, under a lock.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>True when every migration of this build is applied; throws when the database cannot be reached.</summary>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the rows in order, in <paramref name="transaction"/> when given (then nothing is visible until the caller
    /// commits, and nothing remains if it rolls back), else in one transaction of its own. A row whose unique key an
    /// unfinished job already holds is not inserted; its result carries that job with Deduplicated set.
    /// </summary>
    Task<IReadOnlyList<InsertResult>> JobInsertManyAsync(
        IReadOnlyList<JobInsertRow> rows, DbTransaction? transaction, CancellationToken cancellationToken);

    /// <summary>
    /// In one statement, moves at most <see cref="JobClaimRequest.Limit"/> due waiting jobs to running under the
    /// caller's lease, ordered by priority, scheduled time, then id, within the queue and fairness-key limits.
    /// Returns the claimed jobs in that order.
    /// </summary>
    Task<IReadOnlyList<Job>> JobClaimAsync(JobClaimRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Applies each finalization only while its job is still running under the same lease (owner and claim count).
    /// A job whose cancel was requested ends cancelled unless the outcome is completed.
    /// </summary>
    Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(
        IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the leases the node still holds to <paramref name="leaseExpiresAt"/> and reports, for every lease
    /// asked about, whether it is still held and whether a cancel was requested.
    /// </summary>
    Task<IReadOnlyList<JobLeaseStatus>> JobRenewLeasesAsync(
        string node, IReadOnlyList<JobLease> leases, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken);

    /// <summary>Read-only twin of <see cref="JobRenewLeasesAsync"/>: reports lease and cancel status without writing.</summary>
    Task<IReadOnlyList<JobLeaseStatus>> JobGetLeaseStatusAsync(
        string node, IReadOnlyList<JobLease> leases, CancellationToken cancellationToken);

    /// <summary>
    /// Finds running jobs whose lease expired before <paramref name="now"/> (their node died or stalled) and moves
    /// them on: cancelled when a cancel was requested, discarded when no attempt is left, otherwise retryable at once.
    /// Each gets an error entry, keeping at most <paramref name="maxErrorsKept"/>.
    /// </summary>
    Task<IReadOnlyList<Job>> JobRescueExpiredAsync(
        DateTimeOffset now, int limit, int maxErrorsKept, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a waiting job at once; marks a running job's cancel as requested (its node signals the handler).
    /// A finished job is returned unchanged. Null when no such job exists.
    /// </summary>
    Task<Job?> JobCancelAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a discarded or cancelled job back to available with a fresh set of attempts, keeping its error history.
    /// Returns the job (unchanged when it was not discarded or cancelled), or null when no such job exists.
    /// Throws <see cref="JobUniqueKeyConflictException"/> when an unfinished job now holds its unique key.
    /// </summary>
    Task<Job?> JobRequeueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a waiting job due now: a scheduled or retryable job whose time has not come gets
    /// <paramref name="now"/> as its scheduled time (its state, attempt and everything else stay as they are).
    /// Running and finished jobs, and waiting jobs already due, are left alone. Returns the job as it is afterwards,
    /// or null when no such job exists. A backend that announces available jobs to other nodes announces this one.
    /// </summary>
    Task<Job?> JobMakeDueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Job?> JobGetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Jobs by id, ascending, optionally of one state and kind, after an id (keyset paging).</summary>
    Task<IReadOnlyList<Job>> JobListAsync(JobListQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> finished jobs: completed or cancelled before
    /// <paramref name="finishedBefore"/>, discarded before <paramref name="discardedBefore"/>. Returns how many.
    /// </summary>
    Task<int> JobDeleteFinishedAsync(
        DateTimeOffset finishedBefore, DateTimeOffset discardedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>The earliest scheduled time among waiting jobs of these queues, or null when none waits.</summary>
    Task<DateTimeOffset?> JobNextScheduledAtAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);
}
