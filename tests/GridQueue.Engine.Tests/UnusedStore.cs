using System.Data.Common;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Tests;

/// <summary>For tests that must fail before any storage call: every member throws if it is reached.</summary>
internal sealed class UnusedStore : IJobStore
{
    public string Name => "unused";

    private static Exception Reached() => new InvalidOperationException("The test expected no storage call.");

    public Task MigrateAsync(CancellationToken cancellationToken) => throw Reached();
    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => throw Reached();
    public Task<IReadOnlyList<InsertResult>> JobInsertManyAsync(IReadOnlyList<JobInsertRow> rows, DbTransaction? transaction, CancellationToken cancellationToken) => throw Reached();
    public Task<IReadOnlyList<Job>> JobClaimAsync(JobClaimRequest request, CancellationToken cancellationToken) => throw Reached();
    public Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken) => throw Reached();
    public Task<IReadOnlyList<JobLeaseStatus>> JobRenewLeasesAsync(string node, IReadOnlyList<JobLease> leases, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) => throw Reached();
    public Task<IReadOnlyList<JobLeaseStatus>> JobGetLeaseStatusAsync(string node, IReadOnlyList<JobLease> leases, CancellationToken cancellationToken) => throw Reached();
    public Task<IReadOnlyList<Job>> JobRescueExpiredAsync(DateTimeOffset now, int limit, int maxErrorsKept, CancellationToken cancellationToken) => throw Reached();
    public Task<Job?> JobCancelAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) => throw Reached();
    public Task<Job?> JobRequeueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) => throw Reached();
    public Task<Job?> JobGetAsync(long id, CancellationToken cancellationToken) => throw Reached();
    public Task<IReadOnlyList<Job>> JobListAsync(JobListQuery query, CancellationToken cancellationToken) => throw Reached();
    public Task<int> JobDeleteFinishedAsync(DateTimeOffset finishedBefore, DateTimeOffset discardedBefore, int limit, CancellationToken cancellationToken) => throw Reached();
    public Task<DateTimeOffset?> JobNextScheduledAtAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) => throw Reached();
}
