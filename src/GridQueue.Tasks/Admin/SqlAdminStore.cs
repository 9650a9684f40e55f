using System.Data;
using System.Data.Common;
using System.Text.Json;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;

namespace GridQueue.Tasks.Admin;

/// <summary>
/// The dialect-neutral part of the admin stores: parameters, row reading and result assembly. Each backend supplies
/// its SQL (one file per operation, named as <see cref="Sql"/> asks) and how it reads and writes; the parameters are
/// the same everywhere, typed, so a null filter binds on PostgreSQL as well as on SQLite. Times are Unix milliseconds.
/// </summary>
public abstract class SqlAdminStore : IJobAdminStore, IAdminStore
{
    /// <summary>The SQL text of one operation (e.g. "job_count_by_queue_state").</summary>
    protected abstract string Sql(string name);

    /// <summary>Opens a connection for a read.</summary>
    protected abstract Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="run"/> on a command of <paramref name="sql"/> (bound by <paramref name="bind"/>) in a committed write.</summary>
    protected abstract Task<T> WriteAsync<T>(string sql, Action<DbCommand> bind, Func<DbCommand, T> run, CancellationToken cancellationToken);

    public async Task<IReadOnlyList<JobStateCount>> JobCountByQueueAndStateAsync(CancellationToken cancellationToken) =>
        await ReadAsync(Sql("job_count_by_queue_state"), _ => { }, r => new JobStateCount(r.GetString(0), JobStates.Parse(r.GetString(1)), r.GetInt64(2)), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<JobFinishCount>> JobCountFinishedSinceAsync(DateTimeOffset since, TimeSpan bucket, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucket, TimeSpan.FromMilliseconds(1));
        var bucketMs = (long)bucket.TotalMilliseconds;
        var sinceMs = since.ToUnixTimeMilliseconds();
        return await ReadAsync(
            Sql("job_count_finished_since"),
            c =>
            {
                Add(c, "since", sinceMs, DbType.Int64);
                Add(c, "bucket_ms", bucketMs, DbType.Int64);
            },
            r => new JobFinishCount(DateTimeOffset.FromUnixTimeMilliseconds(sinceMs + (r.GetInt64(0) * bucketMs)), r.GetInt64(1), r.GetInt64(2)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<long>> JobDeleteDiscardedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        return await WriteAsync(
            Sql("job_delete_discarded"),
            c => Add(c, "ids", JsonSerializer.Serialize(ids), DbType.String),
            c => ReadRows(c, r => r.GetInt64(0)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<VideoTask>> TaskListAllAsync(TaskAdminQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await ReadAsync(
            Sql("task_list_all"),
            c =>
            {
                Add(c, "status", query.Status?.ToWire(), DbType.String);
                Add(c, "user_id", query.UserId, DbType.String);
                Add(c, "provider", query.Provider, DbType.String);
                Add(c, "before", query.BeforeTaskId, DbType.String);
                Add(c, "limit", query.Limit, DbType.Int32);
            },
            TaskRows.ReadWithImages,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<UserUsage>> TaskUsageByUserAsync(int limit, CancellationToken cancellationToken) =>
        await ReadAsync(
            Sql("task_usage_by_user"),
            c => Add(c, "limit", limit, DbType.Int32),
            r => new UserUsage(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)),
            cancellationToken).ConfigureAwait(false);

    public async Task<AuditEntry> AuditAppendAsync(NewAuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var id = await WriteAsync(
            Sql("audit_append"),
            c =>
            {
                Add(c, "at", entry.At.ToUnixTimeMilliseconds(), DbType.Int64);
                Add(c, "actor", entry.Actor, DbType.String);
                Add(c, "action", entry.Action, DbType.String);
                Add(c, "target", entry.Target, DbType.String);
                Add(c, "detail", entry.Detail, DbType.String);
            },
            c => Convert.ToInt64(c.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        return new AuditEntry(id, DateTimeOffset.FromUnixTimeMilliseconds(entry.At.ToUnixTimeMilliseconds()), entry.Actor, entry.Action, entry.Target, entry.Detail);
    }

    public async Task<IReadOnlyList<AuditEntry>> AuditListAsync(long? beforeId, int limit, CancellationToken cancellationToken) =>
        await ReadAsync(
            Sql("audit_list"),
            c =>
            {
                Add(c, "before", beforeId, DbType.Int64);
                Add(c, "limit", limit, DbType.Int32);
            },
            r => new AuditEntry(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)),
            cancellationToken).ConfigureAwait(false);

    private async Task<List<T>> ReadAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static List<T> ReadRows<T>(DbCommand command, Func<DbDataReader, T> read)
    {
        var rows = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static void Add(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
