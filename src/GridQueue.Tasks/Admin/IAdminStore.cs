using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Admin;

/// <summary>
/// What the admin console reads and writes besides jobs: tasks across users, each user's usage, and the audit log of
/// admin actions. Every backend passes one shared suite.
/// </summary>
public interface IAdminStore
{
    /// <summary>Tasks of every user, newest first, narrowed by the query's filters, with their images.</summary>
    Task<IReadOnlyList<VideoTask>> TaskListAllAsync(TaskAdminQuery query, CancellationToken cancellationToken);

    /// <summary>Per user: tasks in all, tasks running, tasks failed; the users with the most tasks first.</summary>
    Task<IReadOnlyList<UserUsage>> TaskUsageByUserAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Appends one entry to the audit log and returns it with its id.</summary>
    Task<AuditEntry> AuditAppendAsync(NewAuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The audit log, newest first, before <paramref name="beforeId"/> when given.</summary>
    Task<IReadOnlyList<AuditEntry>> AuditListAsync(long? beforeId, int limit, CancellationToken cancellationToken);
}

/// <summary>Filters of <see cref="IAdminStore.TaskListAllAsync"/>; null means any.</summary>
public sealed record TaskAdminQuery(VideoTaskStatus? Status, string? UserId, string? Provider, string? BeforeTaskId, int Limit);

/// <summary>One user's tasks: all of them, those running upstream now, those that failed.</summary>
public sealed record UserUsage(string UserId, long Tasks, long Running, long Failed);

/// <summary>An admin action to record: who did it, what, to what, and anything worth keeping about it.</summary>
/// <param name="Actor">The admin's user id.</param>
/// <param name="Action">What was done, e.g. "redrive" or "purge".</param>
/// <param name="Target">What it was done to, e.g. "job:42" or a filter.</param>
/// <param name="Detail">The outcome, for a person.</param>
public sealed record NewAuditEntry(DateTimeOffset At, string Actor, string Action, string Target, string Detail);

/// <summary>A recorded admin action.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Target, string Detail);
