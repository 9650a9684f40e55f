using GridQueue.Engine.Storage;
using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite.Tasks;

/// <summary>
/// <see cref="ITaskStore"/> on the job store's SQLite file, so a task change and the job it inserts share one
/// transaction. Writes take the process's write gate and run on one of two long-lived connections whose statements
/// stay prepared — one at the configured synchronous level, one relaxed to NORMAL for poll results (see
/// <see cref="WriteDurability"/>). The reads made at every poll and push (a task by id, the event log) use long-lived
/// connections with prepared statements too (<see cref="SqliteReadConnections"/>); other reads use pooled
/// connections (WAL lets them all read beside the writer).
/// </summary>
public sealed class SqliteTaskStore : ITaskStore, IDisposable
{
    /// <summary>One writer at a time: a group of poll results costs one commit instead of one each.</summary>
    public bool GroupsRelaxedWrites => true;

    private readonly SqliteConnectionFactory _connections;
    private readonly WriteConnection _durable = new();
    private readonly WriteConnection _relaxed = new();
    private readonly SqliteReadConnections _readers;
    private bool _disposed;

    public SqliteTaskStore(SqliteJobStore jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        _connections = jobs.Connections;
        _readers = new SqliteReadConnections(_connections);
    }

    public async Task<ITaskWriteScope> BeginAsync(WriteDurability durability, CancellationToken cancellationToken)
    {
        var writer = durability == WriteDurability.Durable ? _durable : _relaxed;
        await _connections.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            writer.Connection ??= durability == WriteDurability.Durable
                ? await _connections.OpenAsync(cancellationToken).ConfigureAwait(false)
                : await _connections.OpenBookkeepingAsync(cancellationToken).ConfigureAwait(false);
            var transaction = writer.Connection.BeginTransaction(deferred: false);
            return new SqliteTaskWriteScope(this, writer, transaction);
        }
        catch
        {
            writer.Close();
            _connections.WriteGate.Release();
            throw;
        }
    }

    public async Task<VideoTask?> TaskGetAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = TaskSqlText.TaskGetWithImages;
        command.Parameters.AddWithValue("@id", taskId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? TaskRowReader.ReadWithImages(reader) : null;
    }

    public Task<VideoTask?> TaskGetWithoutImagesAsync(string taskId, CancellationToken cancellationToken) =>
        _readers.ReadAsync(
            TaskSqlText.TaskGet,
            taskId,
            static (parameters, id) => parameters.AddWithValue("@id", id),
            static async (command, ct) =>
            {
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return await reader.ReadAsync(ct).ConfigureAwait(false) ? TaskRowReader.Read(reader) : null;
            },
            cancellationToken);

    public async Task<IReadOnlyList<string>> TaskImagesGetAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = TaskSqlText.TaskImagesGet;
        command.Parameters.AddWithValue("@task_id", taskId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? TaskRowReader.ParseImages(json) : [];
    }

    public async Task<IReadOnlyList<VideoTask>> TaskListAsync(
        string userId, VideoTaskStatus? status, string? beforeTaskId, int limit, long maxImageChars, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = status is null ? TaskSqlText.TaskList : TaskSqlText.TaskListByStatus;
        command.Parameters.AddWithValue("@user_id", userId);
        command.Parameters.AddWithValue("@before", (object?)beforeTaskId ?? DBNull.Value);
        command.Parameters.AddWithValue("@limit", limit);
        if (status is { } s)
        {
            command.Parameters.AddWithValue("@status", s.ToWire());
        }

        var tasks = new List<VideoTask>();
        long imageChars = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (imageChars <= maxImageChars && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var task = TaskRowReader.ReadWithImages(reader);
            tasks.Add(task);
            imageChars += task.Images.Sum(i => (long)i.Length);
        }

        return tasks;
    }

    public async Task<int> TaskCountRunningAsync(string? userId, string? provider, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = TaskRowReader.CountRunningSql(userId);
        TaskRowReader.BindCountRunning(command.Parameters, userId, provider);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<StuckTask>> TaskListStuckAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = TaskSqlText.TaskListStuck;
        command.Parameters.AddWithValue("@started_before", UnixTime.ToMs(startedBefore));
        command.Parameters.AddWithValue("@limit", limit);
        var stuck = new List<StuckTask>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var task = TaskRowReader.Read(reader);
            var state = reader.IsDBNull(TaskRowReader.ColumnCount) ? null : reader.GetString(TaskRowReader.ColumnCount);
            var errors = reader.IsDBNull(TaskRowReader.ColumnCount + 1) ? [] : JobRows.ReadErrors(reader.GetString(TaskRowReader.ColumnCount + 1));
            stuck.Add(new StuckTask(task, state, errors.Count > 0 ? errors[^1].Message : null));
        }

        return stuck;
    }

    public async Task<IReadOnlyList<VideoTask>> TaskListWaitingHeadsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = TaskSqlText.TaskWaitingHeads;
        command.Parameters.AddWithValue("@limit", limit);
        return await TaskRowReader.ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<TaskEvent>> EventListAfterAsync(
        long afterSequence, string? userId, string? taskId, EventPageSize size, CancellationToken cancellationToken)
    {
        var sql = (userId, taskId) switch
        {
            (null, null) => TaskSqlText.EventListAfter,
            (not null, null) => TaskSqlText.EventListAfterByUser,
            (not null, not null) => TaskSqlText.EventListAfterByTask,
            _ => throw new ArgumentException("A task filter needs the user too.", nameof(taskId)),
        };
        return _readers.ReadAsync(
            sql,
            (afterSequence, userId, taskId, size.Limit),
            static (parameters, filter) =>
            {
                parameters.AddWithValue("@after", filter.afterSequence);
                parameters.AddWithValue("@limit", filter.Limit);
                if (filter.userId is not null)
                {
                    parameters.AddWithValue("@user_id", filter.userId);
                }

                if (filter.taskId is not null)
                {
                    parameters.AddWithValue("@task_id", filter.taskId);
                }
            },
            (command, ct) => ReadEventsAsync(command, size, ct),
            cancellationToken);
    }

    private static async Task<IReadOnlyList<TaskEvent>> ReadEventsAsync(SqliteCommand command, EventPageSize size, CancellationToken cancellationToken)
    {
        var events = new List<TaskEvent>();
        long bytes = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (size.HasRoom(events.Count, bytes) && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // gq_task_images.images is written by TaskJson.SerializeImages (rows moved there by migration 004 were
            // written by JsonSerializer with the same default encoder), so it is the very text TaskJson writes into
            // the task object.
            var payload = EventPayload.WithImages(reader.GetString(4), reader.GetString(5));
            events.Add(new TaskEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), UnixTime.FromMs(reader.GetInt64(3)), payload));
            bytes += payload.Length;
        }

        return events;
    }

    public async Task<long> EventLastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = TaskSqlText.EventLastSequence;
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<int> EventDeleteBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var scope = (SqliteTaskWriteScope)await BeginAsync(WriteDurability.Relaxed, cancellationToken).ConfigureAwait(false);
        var command = scope.Prepared(TaskSqlText.EventDeleteBefore);
        command.Parameters.AddWithValue("@cutoff", UnixTime.ToMs(cutoff));
        command.Parameters.AddWithValue("@limit", limit);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public async Task<int> TaskEraseKeptKeysAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        // Looked for on a read connection first: a sweep that finds none takes no write lock.
        await using (var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var look = connection.CreateCommand())
        {
            look.CommandText = TaskSqlText.TaskKeptKeysExist;
            look.Parameters.AddWithValue("@cutoff", UnixTime.ToMs(endedBefore));
            if (Convert.ToInt64(await look.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return 0;
            }
        }

        await using var scope = (SqliteTaskWriteScope)await BeginAsync(WriteDurability.Durable, cancellationToken).ConfigureAwait(false);
        var command = scope.Prepared(TaskSqlText.TaskEraseKeptKeys);
        command.Parameters.AddWithValue("@cutoff", UnixTime.ToMs(endedBefore));
        var erased = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return erased;
    }

    public async Task<int> IdempotencyKeyDeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var scope = (SqliteTaskWriteScope)await BeginAsync(WriteDurability.Relaxed, cancellationToken).ConfigureAwait(false);
        var command = scope.Prepared(TaskSqlText.IdempotencyDeleteBefore);
        command.Parameters.AddWithValue("@cutoff", UnixTime.ToMs(cutoff));
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public void Dispose()
    {
        _connections.WriteGate.Wait();
        try
        {
            _disposed = true;
            _durable.Close();
            _relaxed.Close();
            _readers.Dispose();
        }
        finally
        {
            _connections.WriteGate.Release();
        }
    }

    /// <summary>Ends a scope: releases the gate; after a failure, the connection is not trusted again.</summary>
    internal void EndScope(WriteConnection writer, bool failed)
    {
        if (failed)
        {
            writer.Close();
        }

        _connections.WriteGate.Release();
    }

    /// <summary>A long-lived write connection and its prepared statements (used only under the write gate).</summary>
    internal sealed class WriteConnection
    {
        private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

        public SqliteConnection? Connection { get; set; }

        /// <summary>The prepared command for <paramref name="sql"/>, enlisted in <paramref name="transaction"/>, with no parameters.</summary>
        public SqliteCommand Prepared(SqliteTransaction transaction, string sql)
        {
            if (!_prepared.TryGetValue(sql, out var command))
            {
                command = Connection!.CreateCommand();
                command.CommandText = sql;
                _prepared[sql] = command;
            }

            command.Parameters.Clear();
            command.Transaction = transaction;
            return command;
        }

        public void Close()
        {
            foreach (var command in _prepared.Values)
            {
                command.Dispose();
            }

            _prepared.Clear();
            Connection?.Dispose();
            Connection = null;
        }
    }
}
