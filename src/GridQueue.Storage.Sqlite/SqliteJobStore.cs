using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// <see cref="IJobStore"/> on one SQLite file. Every write is a BEGIN IMMEDIATE transaction on one of two long-lived
/// connections (see <see cref="SqliteWriter"/>), taken behind this process's write gate; reads use pooled connections
/// and run beside writes thanks to WAL. Several processes may share the file: SQLite's file locks keep them correct
/// and busy_timeout makes a writer wait its turn.
/// </summary>
public sealed class SqliteJobStore : IJobStore, IDisposable
{
    private readonly SqliteConnectionFactory _connections;
    private readonly SqliteMigrator _migrator;
    private readonly SqliteWriter _durable;
    private readonly SqliteWriter _bookkeeper;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly SqliteReadConnections _readers;
    private int _disposed;

    public SqliteJobStore(SqliteStorageOptions options, TimeProvider? time = null, ILogger<SqliteJobStore>? logger = null)
    {
        _connections = new SqliteConnectionFactory(options);
        _migrator = new SqliteMigrator(_connections, time ?? TimeProvider.System);
        _durable = new SqliteWriter(_connections, durable: true);
        _bookkeeper = new SqliteWriter(_connections, durable: false);
        _checkpointer = new SqliteCheckpointer(_connections, options.CheckpointInterval, (ILogger?)logger ?? NullLogger.Instance);
        _readers = new SqliteReadConnections(_connections);
    }

    public string Name => "sqlite";

    internal SqliteCheckpointer Checkpointer => _checkpointer;

    /// <summary>Opens connections configured like the store's own, for the application's rows.</summary>
    public SqliteConnectionFactory Connections => _connections;

    public Task MigrateAsync(CancellationToken cancellationToken) => _migrator.MigrateAsync(cancellationToken);

    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => _migrator.IsCurrentAsync(cancellationToken);

    public async Task<IReadOnlyList<InsertResult>> JobInsertManyAsync(
        IReadOnlyList<JobInsertRow> rows, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (transaction is null)
        {
            return await _durable.WriteAsync(prepared => InsertAll(prepared, rows), cancellationToken).ConfigureAwait(false);
        }

        if (transaction is not SqliteTransaction { Connection: { } connection } sqliteTransaction
            || !string.Equals(Path.GetFullPath(connection.DataSource), _connections.DataSource, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The transaction must be an open SqliteTransaction on the store's database file {_connections.DataSource}.",
                nameof(transaction));
        }

        var created = new List<SqliteCommand>();
        try
        {
            return InsertAll(
                sql =>
                {
                    var command = Command(connection, sqliteTransaction, sql);
                    created.Add(command);
                    return command;
                },
                rows);
        }
        finally
        {
            created.ForEach(c => c.Dispose());
        }
    }

    public async Task<IReadOnlyList<Job>> JobClaimAsync(JobClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Limit <= 0)
        {
            return [];
        }

        var limited = request.MaxRunningPerFairnessKey is not null || request.Queues.Any(q => q.MaxRunning is not null);
        var queues = JsonSerializer.Serialize(request.Queues.Select(q => new Dictionary<string, object?>
        {
            ["queue"] = q.Queue,
            ["max_running"] = q.MaxRunning,
        }));
        var jobs = await _bookkeeper.WriteAsync(prepared =>
        {
            var command = prepared(limited ? SqlText.Claim : SqlText.ClaimUnlimited);
            command.Parameters.AddWithValue("@queues", queues);
            command.Parameters.AddWithValue("@now", UnixTime.ToMs(request.Now));
            if (limited)
            {
                command.Parameters.AddWithValue("@key_limit", (object?)request.MaxRunningPerFairnessKey ?? DBNull.Value);
                // Look further than @limit, so that jobs held back by a limit leave room for others in the same claim.
                command.Parameters.AddWithValue("@window", Math.Max(request.Limit * 4, 256));
            }

            command.Parameters.AddWithValue("@limit", request.Limit);
            command.Parameters.AddWithValue("@node", request.Node);
            command.Parameters.AddWithValue("@lease_expires_at", UnixTime.ToMs(request.LeaseExpiresAt));
            return ReadJobs(command);
        }, cancellationToken).ConfigureAwait(false);

        // RETURNING gives no order; hand jobs to workers in claim order.
        return JobStoreResults.InClaimOrder(jobs);
    }

    public async Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(
        IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finalizations);
        if (finalizations.Count == 0)
        {
            return [];
        }

        var batch = BatchJson.Finalizations(finalizations);
        return await _bookkeeper.WriteAsync(prepared =>
        {
            var update = prepared(SqlText.FinalizeMany);
            update.Parameters.AddWithValue("@batch", batch);
            var written = ReadStates(update);
            var missing = finalizations.Where(f => !written.ContainsKey(f.Id)).Select(f => f.Id).ToList();
            var current = new Dictionary<long, JobState>();
            if (missing.Count > 0)
            {
                var select = prepared(SqlText.GetStates);
                select.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(missing));
                current = ReadStates(select);
            }

            return JobStoreResults.Finalized(finalizations, written, current);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobLeaseStatus>> JobRenewLeasesAsync(
        string node, IReadOnlyList<JobLease> leases, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var json = BatchJson.Leases(leases);
        var held = await _bookkeeper.WriteAsync(prepared =>
        {
            var command = prepared(SqlText.RenewLeases);
            command.Parameters.AddWithValue("@leases", json);
            command.Parameters.AddWithValue("@node", node);
            command.Parameters.AddWithValue("@lease_expires_at", UnixTime.ToMs(leaseExpiresAt));
            return ReadFlags(command);
        }, cancellationToken).ConfigureAwait(false);
        return JobStoreResults.LeaseStatuses(leases, held);
    }

    public async Task<IReadOnlyList<JobLeaseStatus>> JobGetLeaseStatusAsync(
        string node, IReadOnlyList<JobLease> leases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, SqlText.LeaseStatus);
        command.Parameters.AddWithValue("@leases", BatchJson.Leases(leases));
        command.Parameters.AddWithValue("@node", node);
        return JobStoreResults.LeaseStatuses(leases, ReadFlags(command));
    }

    public async Task<IReadOnlyList<Job>> JobRescueExpiredAsync(
        DateTimeOffset now, int limit, int maxErrorsKept, CancellationToken cancellationToken) =>
        await _bookkeeper.WriteAsync(prepared =>
        {
            var command = prepared(SqlText.RescueExpired);
            command.Parameters.AddWithValue("@now", UnixTime.ToMs(now));
            command.Parameters.AddWithValue("@limit", limit);
            command.Parameters.AddWithValue("@max_errors", maxErrorsKept);
            return ReadJobs(command);
        }, cancellationToken).ConfigureAwait(false);

    public Task<Job?> JobCancelAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        _durable.WriteAsync(prepared =>
        {
            var command = prepared(SqlText.Cancel);
            command.Parameters.AddWithValue("@id", id);
            command.Parameters.AddWithValue("@now", UnixTime.ToMs(now));
            return ReadJobs(command).SingleOrDefault();
        }, cancellationToken);

    public async Task<Job?> JobRequeueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await _durable.WriteAsync(prepared =>
            {
                var command = prepared(SqlText.Requeue);
                command.Parameters.AddWithValue("@id", id);
                command.Parameters.AddWithValue("@now", UnixTime.ToMs(now));
                return ReadJobs(command).SingleOrDefault();
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT)
        {
            var job = await JobGetAsync(id, cancellationToken).ConfigureAwait(false);
            throw new JobUniqueKeyConflictException(id, job?.UniqueKey ?? "?");
        }
    }

    public Task<Job?> JobMakeDueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        _bookkeeper.WriteAsync(prepared =>
        {
            var command = prepared(SqlText.MakeDue);
            command.Parameters.AddWithValue("@id", id);
            command.Parameters.AddWithValue("@now", UnixTime.ToMs(now));
            return ReadJobs(command).SingleOrDefault();
        }, cancellationToken);

    public async Task<Job?> JobGetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, SqlText.Get);
        command.Parameters.AddWithValue("@id", id);
        return (await JobRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Job>> JobListAsync(JobListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, SqlText.List);
        command.Parameters.AddWithValue("@after_id", query.AfterId);
        command.Parameters.AddWithValue("@state", (object?)query.State?.ToStorageName() ?? DBNull.Value);
        command.Parameters.AddWithValue("@kind", (object?)query.Kind ?? DBNull.Value);
        command.Parameters.AddWithValue("@limit", Math.Clamp(query.Limit, 1, 10_000));
        return await JobRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public Task<int> JobDeleteFinishedAsync(
        DateTimeOffset finishedBefore, DateTimeOffset discardedBefore, int limit, CancellationToken cancellationToken) =>
        _bookkeeper.WriteAsync(prepared =>
        {
            var command = prepared(SqlText.DeleteFinished);
            command.Parameters.AddWithValue("@finished_before", UnixTime.ToMs(finishedBefore));
            command.Parameters.AddWithValue("@discarded_before", UnixTime.ToMs(discardedBefore));
            command.Parameters.AddWithValue("@limit", limit);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public async Task<DateTimeOffset?> JobNextScheduledAtAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);

        // Asked after every claim that left the queue empty (hundreds of times a second under load): a kept-prepared
        // statement, not a pooled open that parses it again.
        var value = await _readers.ReadAsync(
            SqlText.NextScheduled,
            JsonSerializer.Serialize(queues),
            static (parameters, names) => parameters.AddWithValue("@queues", names),
            static (command, ct) => command.ExecuteScalarAsync(ct),
            cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : UnixTime.FromMs(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    /// <param name="command">Returns a command for a SQL text, enlisted in the transaction, with no parameters.</param>
    private static List<InsertResult> InsertAll(Func<string, SqliteCommand> command, IReadOnlyList<JobInsertRow> rows)
    {
        var results = new List<InsertResult>(rows.Count);
        var insert = command(SqlText.Insert);
        var kind = insert.Parameters.Add("@kind", SqliteType.Text);
        var queue = insert.Parameters.Add("@queue", SqliteType.Text);
        var args = insert.Parameters.Add("@args", SqliteType.Text);
        var priority = insert.Parameters.Add("@priority", SqliteType.Integer);
        var state = insert.Parameters.Add("@state", SqliteType.Text);
        var maxAttempts = insert.Parameters.Add("@max_attempts", SqliteType.Integer);
        var scheduledAt = insert.Parameters.Add("@scheduled_at", SqliteType.Integer);
        var createdAt = insert.Parameters.Add("@created_at", SqliteType.Integer);
        var uniqueKey = insert.Parameters.Add("@unique_key", SqliteType.Text);
        var fairnessKey = insert.Parameters.Add("@fairness_key", SqliteType.Text);

        foreach (var row in rows)
        {
            kind.Value = row.Kind;
            queue.Value = row.Queue;
            args.Value = row.Args;
            priority.Value = row.Priority;
            state.Value = row.State.ToStorageName();
            maxAttempts.Value = row.MaxAttempts;
            scheduledAt.Value = UnixTime.ToMs(row.ScheduledAt);
            createdAt.Value = UnixTime.ToMs(row.CreatedAt);
            uniqueKey.Value = (object?)row.UniqueKey ?? DBNull.Value;
            fairnessKey.Value = (object?)row.FairnessKey ?? DBNull.Value;
            var inserted = ReadJobs(insert);
            if (inserted.Count == 1)
            {
                results.Add(new InsertResult(inserted[0], false));
                continue;
            }

            // Nothing inserted: the only uniqueness rule is the unique key among unfinished jobs.
            var existing = command(SqlText.GetUnfinishedByUniqueKey);
            existing.Parameters.AddWithValue("@unique_key", row.UniqueKey);
            var holder = ReadJobs(existing).SingleOrDefault()
                ?? throw new InvalidOperationException($"Insert of a '{row.Kind}' job was skipped, yet no unfinished job holds unique key '{row.UniqueKey}'.");
            results.Add(new InsertResult(holder, true));
        }

        return results;
    }

    /// <summary>Reads (id, flag) rows.</summary>
    private static Dictionary<long, bool> ReadFlags(SqliteCommand command)
    {
        var flags = new Dictionary<long, bool>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            flags[reader.GetInt64(0)] = reader.GetInt64(1) != 0;
        }

        return flags;
    }

    /// <summary>Reads (id, state) rows.</summary>
    private static Dictionary<long, JobState> ReadStates(SqliteCommand command)
    {
        var states = new Dictionary<long, JobState>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            states[reader.GetInt64(0)] = JobStates.Parse(reader.GetString(1));
        }

        return states;
    }

    private static List<Job> ReadJobs(SqliteCommand command) => JobRows.ReadAll(command);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>
    /// Stops the checkpoint loop and closes the store's long-lived connections (two writers, the kept-prepared
    /// readers); pooled connections close with the pool. Idempotent: a host may dispose the store once per service it was registered as.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _checkpointer.Dispose();
        _durable.Dispose();
        _bookkeeper.Dispose();
        _readers.Dispose();
    }
}
