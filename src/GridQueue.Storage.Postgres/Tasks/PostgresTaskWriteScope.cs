using System.Data.Common;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Npgsql;

namespace GridQueue.Storage.Postgres.Tasks;

/// <summary>
/// One READ COMMITTED transaction on a pooled connection; jobs join it through <see cref="Transaction"/>. Scopes on
/// any number of nodes run at once: each guarantee below is kept by a statement of its own (a row lock, a unique
/// index, an advisory lock), not by running alone. The other nodes hear of its events and of the jobs inserted in it
/// after it commits (<see cref="CommitNotices"/>), not from inside it.
/// </summary>
internal sealed class PostgresTaskWriteScope(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresJobStore jobs) : ITaskWriteScope
{
    /// <summary>Advisory lock classes of the running slots (two-int keys): "gqsu" and "gqsp" read as numbers.</summary>
    private const int UserSlotClass = 0x67717375;
    private const int ProviderSlotClass = 0x67717370;

    /// <summary>
    /// A key whose holder vanishes between the claim and the look-up is claimed again, at most this often. The claim
    /// locks the row it found until this transaction ends, so a delete cannot come between; the bound is a safety net.
    /// </summary>
    private const int MaxClaimRounds = 3;

    private readonly DeferredNotices _notices = Defer(jobs, transaction);
    private bool _disposed;

    public DbTransaction Transaction => transaction;

    public async Task<VideoTask?> TaskGetAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var command = Command(TaskSqlText.TaskGet);
        command.Parameters.AddWithValue("id", taskId);
        return (await TaskRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task TaskInsertAsync(VideoTask task, CancellationToken cancellationToken)
    {
        await using var batch = TaskInsertBatch(task);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The task's inserts and its event's subtransaction (event_append.sql) in one round trip. The task insert gives
    /// the transaction its xid and the event writers' lock is taken before the sequence number is drawn, which
    /// event_append.sql asks for apart (see <see cref="EventVisibility"/>).
    /// </summary>
    public Task<long> TaskInsertWithEventAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken) =>
        InsertWithEventAsync(task, payload, now, commit: false, cancellationToken);

    /// <summary>The round trip of <see cref="TaskInsertWithEventAsync"/> with COMMIT at its end; word goes out after it.</summary>
    public async Task<long> TaskInsertWithEventAndCommitAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sequence = await InsertWithEventAsync(task, payload, now, commit: true, cancellationToken).ConfigureAwait(false);
        await AnnounceAsync().ConfigureAwait(false);
        return sequence;
    }

    /// <summary>
    /// One UPDATE ... WHERE version = @expected_version: the row lock makes concurrent updates from one version wait
    /// for each other, and each re-checks the version on the row the previous one committed (task_update.sql).
    /// </summary>
    public async Task<bool> TaskUpdateAsync(VideoTask task, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        await using var command = Command(TaskSqlText.TaskUpdate);
        foreach (var (name, value) in TaskRows.Parameters(task))
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.Parameters.AddWithValue("expected_version", expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>The update and the event in one round trip (task_update_with_event.sql); word of the event goes out after the commit.</summary>
    public Task<bool> TaskUpdateWithEventAsync(
        VideoTask task, long expectedVersion, bool onlyProgressMoved, string payload, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdateWithEventAsync(TaskSqlText.TaskUpdateWithEvent, task, expectedVersion, payload, now, cancellationToken);

    /// <summary>The round trip of <see cref="TaskUpdateWithEventAsync"/> with COMMIT at its end; word goes out after it.</summary>
    public async Task<bool> TaskUpdateWithEventAndCommitAsync(
        VideoTask task, long expectedVersion, bool onlyProgressMoved, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Not cancelled midway: once asked to commit, finish the commit rather than leave the caller unsure.
        var stored = await UpdateWithEventAsync(TaskSqlText.TaskUpdateWithEventAndCommit, task, expectedVersion, payload, now, CancellationToken.None).ConfigureAwait(false);
        await AnnounceAsync().ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Two transaction-level advisory locks, the user's then the provider's (lock_slots.sql). Every start and every
    /// move out of running takes them before it reads the counts, so each count read after them includes every
    /// change that held them before (READ COMMITTED: a statement sees what committed before it began) and none can
    /// change until this transaction ends. Always user first: no cycle of waits can form. A null one is skipped.
    /// </summary>
    public async Task LockSlotsAsync(string? userId, string? provider, CancellationToken cancellationToken)
    {
        if (userId is null && provider is null)
        {
            return;
        }

        await using var command = Command(TaskSqlText.LockSlots);
        command.Parameters.AddWithValue("user_class", UserSlotClass);
        command.Parameters.Add(new NpgsqlParameter<string?>("user_id", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = userId });
        command.Parameters.AddWithValue("provider_class", ProviderSlotClass);
        command.Parameters.Add(new NpgsqlParameter<string?>("provider", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = provider });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> TaskCountRunningAsync(string? userId, string? provider, CancellationToken cancellationToken)
    {
        await using var command = Command(TaskSqlText.CountRunning(userId));
        BindCountRunning(command.Parameters, userId, provider);
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IReadOnlyList<VideoTask>> TaskListQueuedHeadsAsync(string? userId, string? provider, int limit, CancellationToken cancellationToken)
    {
        await using var command = Command(userId is not null ? TaskSqlText.TaskQueuedHeadsByUser : TaskSqlText.TaskQueuedHeadsByProvider);
        if (userId is not null)
        {
            command.Parameters.AddWithValue("user_id", userId);
        }
        else
        {
            command.Parameters.AddWithValue("provider", provider ?? throw new ArgumentException("Name a user or a provider.", nameof(provider)));
        }

        // A user's lines, one per provider: few, so the provider filter (when both are given) is applied here.
        command.Parameters.AddWithValue("limit", userId is not null && provider is not null ? int.MaxValue : limit);
        var heads = await TaskRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        return userId is not null && provider is not null ? [.. heads.Where(t => t.Provider == provider).Take(limit)] : heads;
    }

    /// <summary>The insert and its subtransaction (see event_append.sql and <see cref="EventVisibility"/>); word of it goes out after the commit.</summary>
    public async Task<long> EventAppendAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        await using var command = Command(TaskSqlText.EventAppend);
        command.Parameters.AddWithValue("task_id", task.Id);
        command.Parameters.AddWithValue("user_id", task.UserId);
        command.Parameters.AddWithValue("created_at", TaskRows.ToMs(now));
        command.Parameters.AddWithValue("payload", payload);
        // Several statements: the sequence is the result whose column is "seq".
        var results = await ResultsByColumnAsync(command, cancellationToken).ConfigureAwait(false);
        var appended = results.TryGetValue("seq", out var seq) ? (long)seq : throw new InvalidOperationException("The event insert returned no sequence number.");
        _notices.AddEvent(appended);
        return appended;
    }

    /// <summary>
    /// One INSERT ... ON CONFLICT on the key's primary key (idempotency_claim.sql): the unique index makes concurrent
    /// claims of one key, on any nodes, wait for each other, so exactly one gets a row back. When none comes back the
    /// key is held: the holder's row, committed and now locked by this claim, is read in a new statement.
    /// </summary>
    public async Task<string?> IdempotencyKeyClaimAsync(
        string userId, string key, string taskId, DateTimeOffset now, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxClaimRounds; round++)
        {
            await using (var claim = Command(TaskSqlText.IdempotencyClaim))
            {
                claim.Parameters.AddWithValue("user_id", userId);
                claim.Parameters.AddWithValue("key", key);
                claim.Parameters.AddWithValue("task_id", taskId);
                claim.Parameters.AddWithValue("created_at", TaskRows.ToMs(now));
                claim.Parameters.AddWithValue("not_before", TaskRows.ToMs(notBefore));
                if (await claim.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string)
                {
                    return null;
                }
            }

            await using var holder = Command(TaskSqlText.IdempotencyHolder);
            holder.Parameters.AddWithValue("user_id", userId);
            holder.Parameters.AddWithValue("key", key);
            if (await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string holderTaskId)
            {
                return holderTaskId;
            }
        }

        throw new InvalidOperationException($"The idempotency key of user {userId} could neither be claimed nor found holding a task.");
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        // Not cancellable: once asked to commit, finish the commit rather than leave the caller unsure.
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        await AnnounceAsync().ConfigureAwait(false);
    }

    /// <summary>Tells the other nodes of this scope's events and new jobs, once it has committed.</summary>
    private Task AnnounceAsync() => jobs.Notices.SendNowAsync(connection, _notices.EventSequence, _notices.Queues);

    /// <summary>Rolls back unless committed, and gives the connection back to the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        jobs.StopDeferring(transaction);
        try
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Jobs inserted in this scope's transaction are announced with its events, after the commit.</summary>
    private static DeferredNotices Defer(PostgresJobStore jobs, NpgsqlTransaction transaction)
    {
        var notices = new DeferredNotices();
        jobs.DeferNotices(transaction, notices);
        return notices;
    }

    /// <summary>Binds the parameter of <see cref="TaskSqlText.CountRunning"/>.</summary>
    internal static void BindCountRunning(NpgsqlParameterCollection parameters, string? userId, string? provider)
    {
        if (userId is not null)
        {
            parameters.AddWithValue("user_id", userId);
        }
        else
        {
            parameters.AddWithValue("provider", provider ?? throw new ArgumentException("Name a user or a provider.", nameof(provider)));
        }
    }

    /// <summary>
    /// The task's inserts, the event writers' lock and the event's subtransaction, and with <paramref name="commit"/>
    /// the COMMIT, in one batch. A batch that commits is not cancelled midway: once asked to commit, it finishes.
    /// </summary>
    private async Task<long> InsertWithEventAsync(VideoTask task, string payload, DateTimeOffset now, bool commit, CancellationToken cancellationToken)
    {
        await using var batch = TaskInsertBatch(task);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(TaskSqlText.EventWritersLock));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT gq_event_append"));
        var insertEvent = new NpgsqlBatchCommand(TaskSqlText.EventInsert);
        insertEvent.Parameters.AddWithValue("task_id", task.Id);
        insertEvent.Parameters.AddWithValue("user_id", task.UserId);
        insertEvent.Parameters.AddWithValue("created_at", TaskRows.ToMs(now));
        insertEvent.Parameters.AddWithValue("payload", payload);
        batch.BatchCommands.Add(insertEvent);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("RELEASE SAVEPOINT gq_event_append"));
        if (commit)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        }

        var token = commit ? CancellationToken.None : cancellationToken;
        Dictionary<string, object> results;
        await using (var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false))
        {
            results = await ResultsByColumnAsync(reader, token).ConfigureAwait(false);
        }

        var sequence = results.TryGetValue("seq", out var seq) ? (long)seq : throw new InvalidOperationException("The event insert returned no sequence number.");
        _notices.AddEvent(sequence);
        return sequence;
    }

    private async Task<bool> UpdateWithEventAsync(
        string sql, VideoTask task, long expectedVersion, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        await using var command = Command(sql);
        foreach (var (name, value) in TaskRows.Parameters(task))
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.Parameters.AddWithValue("expected_version", expectedVersion);
        command.Parameters.AddWithValue("event_created_at", TaskRows.ToMs(now));
        command.Parameters.AddWithValue("payload", payload);
        var results = await ResultsByColumnAsync(command, cancellationToken).ConfigureAwait(false);
        if (!results.TryGetValue("updated", out var updated) || (string)updated != "1")
        {
            return false;
        }

        _notices.AddEvent(results.TryGetValue("seq", out var seq)
            ? (long)seq
            : throw new InvalidOperationException("The task was updated but the event insert returned no sequence number."));
        return true;
    }

    /// <summary>The task row's insert and, when it has images, theirs.</summary>
    private NpgsqlBatch TaskInsertBatch(VideoTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var images = task.RequireImages();
        var batch = new NpgsqlBatch(connection, transaction);
        var insert = new NpgsqlBatchCommand(TaskSqlText.TaskInsert);
        foreach (var (name, value) in TaskRows.Parameters(task))
        {
            insert.Parameters.AddWithValue(name, value);
        }

        batch.BatchCommands.Add(insert);
        if (images.Count > 0)
        {
            // Written once: task updates never touch this row, so its megabytes are not rewritten by every change.
            var insertImages = new NpgsqlBatchCommand(TaskSqlText.TaskImagesInsert);
            insertImages.Parameters.AddWithValue("task_id", task.Id);
            insertImages.Parameters.AddWithValue("images", TaskJson.SerializeImages(images)); // spliced as is into logged events
            batch.BatchCommands.Add(insertImages);
        }

        return batch;
    }

    /// <summary>The value of each single-row, single-column result of a command of several statements, by column name.</summary>
    private static async Task<Dictionary<string, object>> ResultsByColumnAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ResultsByColumnAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value of each single-row, single-column result left in <paramref name="reader"/>, by column name.</summary>
    private static async Task<Dictionary<string, object>> ResultsByColumnAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, object>(StringComparer.Ordinal);
        do
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                results[reader.GetName(0)] = reader.GetValue(0);
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));

        return results;
    }

    private NpgsqlCommand Command(string sql) => new(sql, connection, transaction);
}
