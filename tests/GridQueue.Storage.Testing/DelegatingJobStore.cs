using System.Data.Common;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Storage.Testing;

/// <summary>Passes every call to a real store; tests override one method to widen a race window or count calls.</summary>
public class DelegatingJobStore(IJobStore inner) : IJobStore
{
    public string Name => inner.Name;

    public virtual Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

    public virtual Task<bool> IsReadyAsync(CancellationToken cancellationToken) => inner.IsReadyAsync(cancellationToken);

    public virtual Task<IReadOnlyList<InsertResult>> JobInsertManyAsync(IReadOnlyList<JobInsertRow> rows, DbTransaction? transaction, CancellationToken cancellationToken) =>
        inner.JobInsertManyAsync(rows, transaction, cancellationToken);

    public virtual Task<IReadOnlyList<Job>> JobClaimAsync(JobClaimRequest request, CancellationToken cancellationToken) =>
        inner.JobClaimAsync(request, cancellationToken);

    public virtual Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken) =>
        inner.JobFinalizeManyAsync(finalizations, cancellationToken);

    public virtual Task<IReadOnlyList<JobLeaseStatus>> JobRenewLeasesAsync(string node, IReadOnlyList<JobLease> leases, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        inner.JobRenewLeasesAsync(node, leases, leaseExpiresAt, cancellationToken);

    public virtual Task<IReadOnlyList<JobLeaseStatus>> JobGetLeaseStatusAsync(string node, IReadOnlyList<JobLease> leases, CancellationToken cancellationToken) =>
        inner.JobGetLeaseStatusAsync(node, leases, cancellationToken);

    public virtual Task<IReadOnlyList<Job>> JobRescueExpiredAsync(DateTimeOffset now, int limit, int maxErrorsKept, CancellationToken cancellationToken) =>
        inner.JobRescueExpiredAsync(now, limit, maxErrorsKept, cancellationToken);

    public virtual Task<Job?> JobCancelAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.JobCancelAsync(id, now, cancellationToken);

    public virtual Task<Job?> JobRequeueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.JobRequeueAsync(id, now, cancellationToken);

    public virtual Task<Job?> JobMakeDueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.JobMakeDueAsync(id, now, cancellationToken);

    public virtual Task<Job?> JobGetAsync(long id, CancellationToken cancellationToken) => inner.JobGetAsync(id, cancellationToken);

    public virtual Task<IReadOnlyList<Job>> JobListAsync(JobListQuery query, CancellationToken cancellationToken) =>
        inner.JobListAsync(query, cancellationToken);

    public virtual Task<int> JobDeleteFinishedAsync(DateTimeOffset finishedBefore, DateTimeOffset discardedBefore, int limit, CancellationToken cancellationToken) =>
        inner.JobDeleteFinishedAsync(finishedBefore, discardedBefore, limit, cancellationToken);

    public virtual Task<DateTimeOffset?> JobNextScheduledAtAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) =>
        inner.JobNextScheduledAtAsync(queues, cancellationToken);
}
