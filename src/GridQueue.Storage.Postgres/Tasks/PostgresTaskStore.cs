using System.Data;
using GridQueue.Engine.Storage;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Npgsql;

namespace GridQueue.Storage.Postgres.Tasks;

/// <summary>
/// <see cref="ITaskStore"/> on the job store's PostgreSQL database and connection pool, so a task change and the job
/// it inserts (<c>JobInsertManyAsync(rows, scope.Transaction, ...)</c>) commit together. Several nodes share the
/// database: each write scope is a READ COMMITTED transaction on a pooled connection, and each guarantee of the
/// contract is kept by the database itself (see <see cref="PostgresTaskWriteScope"/> and <see cref="EventVisibility"/>),
/// never by a lock in this process. Reads outside a scope are single statements on pooled connections.
/// </summary>
public sealed class PostgresTaskStore : ITaskStore
{
    /// <summary>
    /// Writers run side by side here, and an event is listed only once every writing transaction open when it was
    /// written has ended (EventVisibility): a long group transaction would hold back every stream, so none is made.
    /// </summary>
    public bool GroupsRelaxedWrites => false;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresJobStore _jobs;

    public PostgresTaskStore(PostgresJobStore jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        _jobs = jobs;
        _dataSource = jobs.DataSource;
    }

    public async Task<ITaskWriteScope> BeginAsync(WriteDurability durability, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Explicit, whatever the server's default_transaction_isolation: the compare-and-set, the key claim and
            // the counts after the slot lock each rely on a statement seeing what committed before it started.
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            if (durability == WriteDurability.Relaxed)
            {
                // Crash-safe still (the WAL is written, only not flushed before the commit returns): a power cut can
                // lose the last few such commits, which the poll that made them derives again from upstream.
                await using var relax = new NpgsqlCommand("SET LOCAL synchronous_commit = off", connection, transaction);
                await relax.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new PostgresTaskWriteScope(connection, transaction, _jobs);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<VideoTask?> TaskGetAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.TaskGetWithImages);
        command.Parameters.AddWithValue("id", taskId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? TaskRows.ReadWithImages(reader) : null;
    }

    public async Task<VideoTask?> TaskGetWithoutImagesAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.TaskGet);
        command.Parameters.AddWithValue("id", taskId);
        return (await TaskRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<string>> TaskImagesGetAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.TaskImagesGet);
        command.Parameters.AddWithValue("task_id", taskId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? TaskRows.ParseImages(json) : [];
    }

    public async Task<IReadOnlyList<VideoTask>> TaskListAsync(
        string userId, VideoTaskStatus? status, string? beforeTaskId, int limit, long maxImageChars, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(status is null ? TaskSqlText.TaskList : TaskSqlText.TaskListByStatus);
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("before", (object?)beforeTaskId ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        if (status is { } s)
        {
            command.Parameters.AddWithValue("status", s.ToWire());
        }

        var tasks = new List<VideoTask>();
        long imageChars = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (imageChars <= maxImageChars && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var task = TaskRows.ReadWithImages(reader);
            tasks.Add(task);
            imageChars += task.Images.Sum(i => (long)i.Length);
        }

        return tasks;
    }

    public async Task<int> TaskCountRunningAsync(string? userId, string? provider, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.CountRunning(userId));
        PostgresTaskWriteScope.BindCountRunning(command.Parameters, userId, provider);
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IReadOnlyList<StuckTask>> TaskListStuckAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.TaskListStuck);
        command.Parameters.AddWithValue("started_before", TaskRows.ToMs(startedBefore));
        command.Parameters.AddWithValue("limit", limit);
        var stuck = new List<StuckTask>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var task = TaskRows.Read(reader);
            var state = reader.IsDBNull(TaskRows.ColumnCount) ? null : reader.GetString(TaskRows.ColumnCount);
            var errors = reader.IsDBNull(TaskRows.ColumnCount + 1) ? [] : JobRows.ReadErrors(reader.GetString(TaskRows.ColumnCount + 1));
            stuck.Add(new StuckTask(task, state, errors.Count > 0 ? errors[^1].Message : null));
        }

        return stuck;
    }

    public async Task<IReadOnlyList<VideoTask>> TaskListWaitingHeadsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.TaskWaitingHeads);
        command.Parameters.AddWithValue("limit", limit);
        return await TaskRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TaskEvent>> EventListAfterAsync(
        long afterSequence, string? userId, string? taskId, EventPageSize size, CancellationToken cancellationToken)
    {
        var sql = (userId, taskId) switch
        {
            (null, null) => TaskSqlText.EventListAfter,
            (not null, null) => TaskSqlText.EventListAfterByUser,
            (not null, not null) => TaskSqlText.EventListAfterByTask,
            _ => throw new ArgumentException("A task filter needs the user too.", nameof(taskId)),
        };

        var listing = new NpgsqlBatchCommand(sql);
        listing.Parameters.AddWithValue("after", afterSequence);
        listing.Parameters.AddWithValue("limit", size.Limit);
        if (userId is not null)
        {
            listing.Parameters.AddWithValue("user_id", userId);
        }

        if (taskId is not null)
        {
            listing.Parameters.AddWithValue("task_id", taskId);
        }

        var events = new List<TaskEvent>();
        long bytes = 0;
        await using var batch = EventVisibility.ReadingBatch(_dataSource, listing);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await EventVisibility.SkipBoundAsync(reader, cancellationToken).ConfigureAwait(false);
        while (size.HasRoom(events.Count, bytes) && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // gq_task_images.images is written by TaskJson.SerializeImages, so it is the very text TaskJson writes
            // into the task object.
            var payload = EventPayload.WithImages(reader.GetString(4), reader.GetString(5));
            events.Add(new TaskEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), TaskRows.FromMs(reader.GetInt64(3)), payload));
            bytes += payload.Length;
        }

        return events;
    }

    public async Task<long> EventLastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var batch = EventVisibility.ReadingBatch(_dataSource, new NpgsqlBatchCommand(TaskSqlText.EventLastSequence));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await EventVisibility.SkipBoundAsync(reader, cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? reader.GetInt64(0)
            : throw new InvalidOperationException("The event log's last sequence came back empty.");
    }

    public async Task<int> EventDeleteBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.EventDeleteBefore);
        command.Parameters.AddWithValue("cutoff", TaskRows.ToMs(cutoff));
        command.Parameters.AddWithValue("limit", limit);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> TaskEraseKeptKeysAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.TaskEraseKeptKeys);
        command.Parameters.AddWithValue("cutoff", TaskRows.ToMs(endedBefore));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> IdempotencyKeyDeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(TaskSqlText.IdempotencyDeleteBefore);
        command.Parameters.AddWithValue("cutoff", TaskRows.ToMs(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
