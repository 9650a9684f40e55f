using System.Data.Common;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite.Tasks;

/// <summary>One BEGIN IMMEDIATE transaction on the task store's write connection, holding the write gate until disposed.</summary>
internal sealed class SqliteTaskWriteScope(SqliteTaskStore store, SqliteTaskStore.WriteConnection writer, SqliteTransaction transaction) : ITaskWriteScope
{
    private bool _committed;
    private bool _disposed;

    public DbTransaction Transaction => transaction;

    public SqliteCommand Prepared(string sql) => writer.Prepared(transaction, sql);

    public async Task<VideoTask?> TaskGetAsync(string taskId, CancellationToken cancellationToken)
    {
        var command = Prepared(TaskSqlText.TaskGet);
        command.Parameters.AddWithValue("@id", taskId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? TaskRowReader.Read(reader) : null;
    }

    public async Task TaskInsertAsync(VideoTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var images = task.RequireImages();
        var command = Prepared(TaskSqlText.TaskInsert);
        TaskRowReader.Bind(command.Parameters, task);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (images.Count > 0)
        {
            // Written once: task updates never touch this row, so its megabytes are not rewritten by every change.
            var insertImages = Prepared(TaskSqlText.TaskImagesInsert);
            insertImages.Parameters.AddWithValue("@task_id", task.Id);
            insertImages.Parameters.AddWithValue("@images", TaskJson.SerializeImages(images)); // spliced as is into logged events
            await insertImages.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> TaskUpdateAsync(VideoTask task, long expectedVersion, CancellationToken cancellationToken)
    {
        var command = Prepared(TaskSqlText.TaskUpdate);
        TaskRowReader.Bind(command.Parameters, task);
        command.Parameters.AddWithValue("@expected_version", expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> TaskUpdateProgressAsync(VideoTask task, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var command = Prepared(TaskSqlText.TaskUpdateProgress);
        command.Parameters.AddWithValue("@id", task.Id);
        command.Parameters.AddWithValue("@progress", task.Progress);
        command.Parameters.AddWithValue("@version", task.Version);
        command.Parameters.AddWithValue("@updated_at", UnixTime.ToMs(task.UpdatedAt));
        command.Parameters.AddWithValue("@expected_version", expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> TaskCountRunningAsync(string? userId, string? provider, CancellationToken cancellationToken)
    {
        var command = Prepared(TaskRowReader.CountRunningSql(userId));
        TaskRowReader.BindCountRunning(command.Parameters, userId, provider);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<VideoTask>> TaskListQueuedHeadsAsync(string? userId, string? provider, int limit, CancellationToken cancellationToken)
    {
        var command = Prepared(userId is not null ? TaskSqlText.TaskQueuedHeadsByUser : TaskSqlText.TaskQueuedHeadsByProvider);
        if (userId is not null)
        {
            command.Parameters.AddWithValue("@user_id", userId);
        }
        else
        {
            command.Parameters.AddWithValue("@provider", provider ?? throw new ArgumentException("Name a user or a provider.", nameof(provider)));
        }

        // A user's lines, one per provider: few, so the provider filter (when both are given) is applied here.
        command.Parameters.AddWithValue("@limit", userId is not null && provider is not null ? int.MaxValue : limit);
        var heads = await TaskRowReader.ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        return userId is not null && provider is not null ? [.. heads.Where(t => t.Provider == provider).Take(limit)] : heads;
    }

    public async Task<long> EventAppendAsync(VideoTask task, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = Prepared(TaskSqlText.EventAppend);
        command.Parameters.AddWithValue("@task_id", task.Id);
        command.Parameters.AddWithValue("@user_id", task.UserId);
        command.Parameters.AddWithValue("@created_at", UnixTime.ToMs(now));
        command.Parameters.AddWithValue("@payload", payload);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Nothing to take: this transaction is the database's only writer (BEGIN IMMEDIATE) until it ends.</summary>
    public Task LockSlotsAsync(string? userId, string? provider, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A look and a write in one BEGIN IMMEDIATE transaction: no other writer, on any process, can come between.</summary>
    public async Task<string?> IdempotencyKeyClaimAsync(
        string userId, string key, string taskId, DateTimeOffset now, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        var find = Prepared(TaskSqlText.IdempotencyFind);
        find.Parameters.AddWithValue("@user_id", userId);
        find.Parameters.AddWithValue("@key", key);
        find.Parameters.AddWithValue("@not_before", UnixTime.ToMs(notBefore));
        if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string holder)
        {
            return holder;
        }

        var save = Prepared(TaskSqlText.IdempotencySave);
        save.Parameters.AddWithValue("@user_id", userId);
        save.Parameters.AddWithValue("@key", key);
        save.Parameters.AddWithValue("@task_id", taskId);
        save.Parameters.AddWithValue("@created_at", UnixTime.ToMs(now));
        await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        // Not cancellable: once asked to commit, finish the commit rather than leave the caller unsure.
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var failed = false;
        try
        {
            if (!_committed)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (SqliteException)
        {
            failed = true; // the connection is closed below and reopened by the next scope
            throw;
        }
        finally
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            store.EndScope(writer, failed);
        }
    }
}
