using System.Data.Common;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Tests;

/// <summary>
/// For tests that must fail before any storage call, or that check which calls were made: every member but
/// <see cref="MigrateAsync"/> throws if it is reached, and records that it was.
/// </summary>
internal sealed class UnusedStore : IJobStore
{
    public string Name => "unused";

    /// <summary>Completes MigrateAsync when set; by default MigrateAsync throws like the rest.</summary>
    public Task? MigrationGate { get; init; }

    public System.Collections.Concurrent.ConcurrentQueue<string> Reached { get; } = new();

    private Exception Unexpected([System.Runtime.CompilerServices.CallerMemberName] string member = "")
    {
        Reached.Enqueue(member);
        return new InvalidOperationException($"The test expected no call to {member}.");
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrationGate ?? throw Unexpected();
    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => throw Unexpected();
    public Task<IReadOnlyList<InsertResult>> JobInsertManyAsync(IReadOnlyList<JobInsertRow> rows, DbTransaction? transaction, CancellationToken cancellationToken) => throw Unexpected();
    public Task<IReadOnlyList<Job>> JobClaimAsync(JobClaimRequest request, CancellationToken cancellationToken) => throw Unexpected();
    public Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken) => throw Unexpected();
    public Task<IReadOnlyList<JobLeaseStatus>> JobRenewLeasesAsync(string node, IReadOnlyList<JobLease> leases, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) => throw Unexpected();
    public Task<IReadOnlyList<JobLeaseStatus>> JobGetLeaseStatusAsync(string node, IReadOnlyList<JobLease> leases, CancellationToken cancellationToken) => throw Unexpected();
    public Task<IReadOnlyList<Job>> JobRescueExpiredAsync(DateTimeOffset now, int limit, int maxErrorsKept, CancellationToken cancellationToken) => throw Unexpected();
    public Task<Job?> JobCancelAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) => throw Unexpected();
    public Task<Job?> JobRequeueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) => throw Unexpected();
    public Task<Job?> JobMakeDueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) => throw Unexpected();
    public Task<Job?> JobGetAsync(long id, CancellationToken cancellationToken) => throw Unexpected();
    public Task<IReadOnlyList<Job>> JobListAsync(JobListQuery query, CancellationToken cancellationToken) => throw Unexpected();
    public Task<int> JobDeleteFinishedAsync(DateTimeOffset finishedBefore, DateTimeOffset discardedBefore, int limit, CancellationToken cancellationToken) => throw Unexpected();
    public Task<DateTimeOffset?> JobNextScheduledAtAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) => throw Unexpected();
}
