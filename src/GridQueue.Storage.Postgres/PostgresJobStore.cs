using System.Data.Common;
using System.Runtime.CompilerServices;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// <see cref="IJobStore"/> on a PostgreSQL database that several nodes share. Each operation is one statement, or one
/// batch of statements sent in one round trip and run in one implicit transaction, on a pooled connection. Claims take
/// jobs with FOR UPDATE SKIP LOCKED; claims that must respect a limit first take advisory locks (see
/// <see cref="ClaimLocks"/>). Outcomes of concurrent callers share one statement (see <see cref="FinalizeCoalescer"/>).
/// The engine's own bookkeeping commits without waiting for the log flush (see <see cref="BookkeepingBatch"/>).
/// </summary>
public sealed class PostgresJobStore : IJobStore, IJobAvailabilityFeed, IDisposable
{
    private const string UniqueViolation = "23505";
    private static readonly int JobColumnCount = JobRows.Columns.Split(',').Length;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresMigrator _migrator;
    private readonly FinalizeCoalescer _finalizer;
    private readonly NodeListener _listener;
    private readonly CommitNotices _notices;
    private readonly ConditionalWeakTable<NpgsqlTransaction, DeferredNotices> _deferred = new();
    private int _disposed;

    /// <param name="options">The connection string.</param>
    /// <param name="time">The clock of migrations' records.</param>
    /// <param name="loggers">Where a failure to send word of a commit to the other nodes, or to keep listening, is logged.</param>
    public PostgresJobStore(PostgresStorageOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connectionString = WithDefaults(options.ConnectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _migrator = new PostgresMigrator(_dataSource, time ?? TimeProvider.System);
        _finalizer = new FinalizeCoalescer(FinalizeNowAsync);
        _listener = new NodeListener(connectionString, options.ListenRetryMaxDelay, loggers?.CreateLogger<NodeListener>());
        _notices = new CommitNotices(connectionString, loggers?.CreateLogger<PostgresJobStore>());
    }

    public string Name => "postgres";

    /// <summary>The store's connection pool, for the application's own rows (open, then BeginTransaction).</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    public Task MigrateAsync(CancellationToken cancellationToken) => _migrator.MigrateAsync(cancellationToken);

    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => _migrator.IsCurrentAsync(cancellationToken);

    public async Task<IReadOnlyList<InsertResult>> JobInsertManyAsync(
        IReadOnlyList<JobInsertRow> rows, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return [];
        }

        if (transaction is not null)
        {
            if (transaction is not NpgsqlTransaction { Connection: { } connection } npgsqlTransaction)
            {
                throw new ArgumentException("The transaction must be an open NpgsqlTransaction on the store's database.", nameof(transaction));
            }

            var joined = await JobInserter.InsertAsync(connection, npgsqlTransaction, rows, cancellationToken).ConfigureAwait(false);
            var joinedQueues = JobInserter.AvailableQueues(joined);
            if (_deferred.TryGetValue(npgsqlTransaction, out var deferred))
            {
                deferred.AddQueues(joinedQueues); // a task write scope's transaction: announced after its commit
            }
            else
            {
                await JobInserter.NotifyInTransactionAsync(connection, npgsqlTransaction, joinedQueues, cancellationToken).ConfigureAwait(false);
            }

            return joined;
        }

        await using var own = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<InsertResult> results;
        if (JobInserter.NeedsTransaction(rows))
        {
            await using var ownTransaction = await own.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            results = await JobInserter.InsertAsync(own, ownTransaction, rows, cancellationToken).ConfigureAwait(false);
            await ownTransaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // One statement, committed on its own: a round trip less (no COMMIT after it) before the job can be claimed.
            results = await JobInserter.InsertAsync(own, null, rows, cancellationToken).ConfigureAwait(false);
        }

        await _notices.SendNowAsync(own, 0, JobInserter.AvailableQueues(results)).ConfigureAwait(false);
        return results;
    }

    /// <summary>The node's listening connection, shared by the job wake-ups and the task event feed.</summary>
    internal NodeListener Listener => _listener;

    /// <summary>Sends word of this node's commits to every node, after the commit (see <see cref="CommitNotices"/>).</summary>
    internal CommitNotices Notices => _notices;

    /// <summary>
    /// Jobs inserted in <paramref name="transaction"/> are announced through <paramref name="notices"/>, which its owner
    /// sends after committing, instead of from inside the transaction; until <see cref="StopDeferring"/>.
    /// </summary>
    internal void DeferNotices(NpgsqlTransaction transaction, DeferredNotices notices) => _deferred.AddOrUpdate(transaction, notices);

    internal void StopDeferring(NpgsqlTransaction transaction) => _deferred.Remove(transaction);

    public async Task<IReadOnlyList<Job>> JobClaimAsync(JobClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Limit <= 0 || request.Queues.Count == 0)
        {
            return [];
        }

        var locks = ClaimLocks.For(request);
        await using var batch = BookkeepingBatch.Create(_dataSource);
        if (locks.Length > 0)
        {
            // The lock and the claim go in one round trip and one (implicit) transaction; the claim statement's
            // snapshot is taken after the lock is granted.
            var lockCommand = new NpgsqlBatchCommand(SqlText.ClaimLock);
            lockCommand.Parameters.AddWithValue("keys", locks);
            batch.BatchCommands.Add(lockCommand);
        }

        var claim = new NpgsqlBatchCommand(locks.Length > 0 ? SqlText.Claim : SqlText.ClaimUnlimited);
        claim.Parameters.AddWithValue("queues", request.Queues.Select(q => q.Queue).ToArray());
        claim.Parameters.AddWithValue("now", JobRows.ToMs(request.Now));
        claim.Parameters.AddWithValue("limit", request.Limit);
        claim.Parameters.AddWithValue("node", request.Node);
        claim.Parameters.AddWithValue("lease_expires_at", JobRows.ToMs(request.LeaseExpiresAt));
        if (locks.Length > 0)
        {
            claim.Parameters.AddWithValue("max_running", request.Queues.Select(q => q.MaxRunning).ToArray());
            claim.Parameters.Add(new NpgsqlParameter("key_limit", NpgsqlDbType.Integer) { Value = (object?)request.MaxRunningPerFairnessKey ?? DBNull.Value });
            // Look further than @limit, so that jobs held back by a limit leave room for others in the same claim.
            claim.Parameters.AddWithValue("window", Math.Max(request.Limit * 4, 256));
        }

        batch.BatchCommands.Add(claim);
        return JobStoreResults.InClaimOrder(await ReadJobsAsync(batch, cancellationToken).ConfigureAwait(false));
    }

    public Task<IReadOnlyList<JobFinalizeResult>> JobFinalizeManyAsync(
        IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finalizations);
        return finalizations.Count == 0
            ? Task.FromResult<IReadOnlyList<JobFinalizeResult>>([])
            : _finalizer.FinalizeAsync(finalizations, cancellationToken);
    }

    public async Task<IReadOnlyList<JobLeaseStatus>> JobRenewLeasesAsync(
        string node, IReadOnlyList<JobLease> leases, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        await using var batch = BookkeepingBatch.Create(_dataSource);
        var renew = LeaseCommand(SqlText.RenewLeases, node, leases);
        renew.Parameters.AddWithValue("lease_expires_at", JobRows.ToMs(leaseExpiresAt));
        batch.BatchCommands.Add(renew);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await BookkeepingBatch.SkipRelaxAsync(reader, cancellationToken).ConfigureAwait(false);
        return JobStoreResults.LeaseStatuses(leases, await ReadPairsAsync(reader, r => r.GetBoolean(1), cancellationToken).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<JobLeaseStatus>> JobGetLeaseStatusAsync(
        string node, IReadOnlyList<JobLease> leases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        await using var batch = _dataSource.CreateBatch(); // a read: nothing to relax
        batch.BatchCommands.Add(LeaseCommand(SqlText.LeaseStatus, node, leases));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return JobStoreResults.LeaseStatuses(leases, await ReadPairsAsync(reader, r => r.GetBoolean(1), cancellationToken).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<Job>> JobRescueExpiredAsync(
        DateTimeOffset now, int limit, int maxErrorsKept, CancellationToken cancellationToken)
    {
        await using var batch = BookkeepingBatch.Create(_dataSource);
        var rescue = new NpgsqlBatchCommand(SqlText.RescueExpired);
        rescue.Parameters.AddWithValue("now", JobRows.ToMs(now));
        rescue.Parameters.AddWithValue("limit", limit);
        rescue.Parameters.AddWithValue("max_errors", maxErrorsKept);
        batch.BatchCommands.Add(rescue);
        var rescued = await ReadJobsAsync(batch, cancellationToken).ConfigureAwait(false);

        // Due at once: every node hears of them, not only the leader that rescued them.
        _notices.Post(0, rescued.Where(j => j.State == JobState.Retryable).Select(j => j.Queue));
        return rescued;
    }

    public async Task<Job?> JobCancelAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await UpdateThenGetAsync(id, now, [SqlText.CancelWaiting, SqlText.CancelRunning], cancellationToken).ConfigureAwait(false);

    public async Task<Job?> JobRequeueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return AnnounceIfDueNow(await UpdateThenGetAsync(id, now, [SqlText.Requeue], cancellationToken).ConfigureAwait(false), now);
        }
        catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
        {
            var job = await JobGetAsync(id, cancellationToken).ConfigureAwait(false);
            throw new JobUniqueKeyConflictException(id, job?.UniqueKey ?? "?");
        }
    }

    public async Task<Job?> JobMakeDueAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One batch, one implicit transaction, then word to every node once it has committed.
        await using var batch = _dataSource.CreateBatch();
        var update = new NpgsqlBatchCommand(SqlText.MakeDue);
        update.Parameters.AddWithValue("id", id);
        update.Parameters.AddWithValue("now", JobRows.ToMs(now));
        batch.BatchCommands.Add(update);
        var get = new NpgsqlBatchCommand(SqlText.Get);
        get.Parameters.AddWithValue("id", id);
        batch.BatchCommands.Add(get);
        return AnnounceIfDueNow((await ReadJobsAsync(batch, cancellationToken).ConfigureAwait(false)).SingleOrDefault(), now);
    }

    /// <summary>
    /// Announces <paramref name="job"/>'s queue when a change just made it claimable (waiting, due at
    /// <paramref name="now"/>); a job that was already due earlier, running or finished is left to the claims' polls.
    /// </summary>
    private Job? AnnounceIfDueNow(Job? job, DateTimeOffset now)
    {
        if (job is { State: JobState.Available or JobState.Scheduled or JobState.Retryable } && JobRows.ToMs(job.ScheduledAt) == JobRows.ToMs(now))
        {
            _notices.Post(0, [job.Queue]);
        }

        return job;
    }

    public async Task<Job?> JobGetAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(SqlText.Get);
        command.Parameters.AddWithValue("id", id);
        return (await JobRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Job>> JobListAsync(JobListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var command = _dataSource.CreateCommand(SqlText.List);
        command.Parameters.AddWithValue("after_id", query.AfterId);
        command.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Text) { Value = (object?)query.State?.ToStorageName() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("kind", NpgsqlDbType.Text) { Value = (object?)query.Kind ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", Math.Clamp(query.Limit, 1, 10_000));
        return await JobRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> JobDeleteFinishedAsync(
        DateTimeOffset finishedBefore, DateTimeOffset discardedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var batch = BookkeepingBatch.Create(_dataSource);
        var delete = new NpgsqlBatchCommand(SqlText.DeleteFinished);
        delete.Parameters.AddWithValue("finished_before", JobRows.ToMs(finishedBefore));
        delete.Parameters.AddWithValue("discarded_before", JobRows.ToMs(discardedBefore));
        delete.Parameters.AddWithValue("limit", limit);
        batch.BatchCommands.Add(delete);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return checked((int)delete.RecordsAffected);
    }

    public async Task<DateTimeOffset?> JobNextScheduledAtAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        await using var command = _dataSource.CreateCommand(SqlText.NextScheduled);
        command.Parameters.AddWithValue("queues", queues.ToArray());
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long ms ? JobRows.FromMs(ms) : null;
    }

    /// <summary>
    /// Announces jobs that became available on any node (the queue; null after the listening connection was lost and
    /// opened again, when any queue may have work): inserts announce them once committed (see
    /// <see cref="CommitNotices"/> and <see cref="NodeListener"/>).
    /// </summary>
    public Task<IAsyncDisposable> SubscribeAsync(Action<string?> onAvailable, CancellationToken cancellationToken) =>
        _listener.SubscribeAsync(NodeListener.JobsChannel, onAvailable, cancellationToken);

    /// <summary>
    /// Stops listening and closes the pool. Idempotent: a host may dispose the store once per service it was
    /// registered as.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // The listen loop ends at once when cancelled; waiting here keeps its connection from outliving the pool.
        _listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _notices.Stop();
        _dataSource.Dispose();
    }

    /// <summary>
    /// Defaults for what the connection string leaves unset. Npgsql keeps the store's statements prepared on each
    /// pooled connection: the claim, finalize and task statements cost more to parse and plan than to run, and the
    /// stores have about 60 of them. The pool holds at most <see cref="DefaultMaxPoolSize"/> connections per node:
    /// every write here is a short transaction, so a few connections per core keep the node and the database busy, and
    /// more only add server processes that queue for the same CPUs while holding their transactions open. Npgsql's
    /// default of 100 let a burst open a hundred server processes per node, each started cold (fork, catalog caches,
    /// no prepared statements): on the 2-core benchmark machine that made cross-node push p99 2 s instead of 0.15 s;
    /// going from 20 connections per node to 4 took it from about 100 ms to about 35 ms, with the same throughput
    /// (docs/benchmarks.md). The work waits in the pool's queue instead, where it holds nothing. A connection going
    /// back to the pool is not reset: Npgsql's reset is five statements (RESET ALL, CLOSE ALL and others) run before the
    /// next use, a thousand times a second on a busy node, and the stores leave no session state on a pooled
    /// connection: settings are transaction-local (<c>set_config(..., true)</c>), advisory locks transaction-level,
    /// and the two session-level ones are the leader's, on a connection outside the pool, and the migrator's, which it
    /// releases itself.
    /// </summary>
    internal static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(connectionString, "Auto Prepare", "AutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!Names(connectionString, "Max Pool Size", "Maximum Pool Size", "MaxPoolSize"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!Names(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Connections per node when the connection string does not say (<c>Maximum Pool Size</c>): two per processor
    /// of the node, at least <see cref="MinDefaultMaxPoolSize"/>. A database with many more cores than its nodes
    /// together may deserve more; the connection string says so.
    /// </summary>
    public static int DefaultMaxPoolSize { get; } = Math.Max(MinDefaultMaxPoolSize, 2 * Environment.ProcessorCount);

    /// <summary>The smallest default pool: a task write, the engine's claims and outcomes and the push hub's reads at once.</summary>
    public const int MinDefaultMaxPoolSize = 4;

    private static bool Names(string connectionString, params string[] keys) =>
        keys.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));

    /// <summary>One finalize statement for a (possibly coalesced) batch: see finalize_many.sql.</summary>
    private async Task<IReadOnlyList<JobFinalizeResult>> FinalizeNowAsync(
        IReadOnlyList<JobFinalization> finalizations, CancellationToken cancellationToken)
    {
        await using var batch = BookkeepingBatch.Create(_dataSource);
        var command = new NpgsqlBatchCommand(SqlText.FinalizeMany);
        batch.BatchCommands.Add(command);
        command.Parameters.AddWithValue("ids", finalizations.Select(f => f.Id).ToArray());
        command.Parameters.AddWithValue("nodes", finalizations.Select(f => f.Node).ToArray());
        command.Parameters.AddWithValue("claims", finalizations.Select(f => f.Claims).ToArray());
        command.Parameters.AddWithValue("states", finalizations.Select(f => f.State.ToStorageName()).ToArray());
        command.Parameters.AddWithValue("nows", finalizations.Select(f => JobRows.ToMs(f.Now)).ToArray());
        command.Parameters.AddWithValue("scheduled_ats", finalizations.Select(f => f.ScheduledAt is { } at ? JobRows.ToMs(at) : (long?)null).ToArray());
        command.Parameters.AddWithValue("errors", finalizations.Select(f => f.Errors is { } e ? JobRows.WriteErrors(e) : null).ToArray());
        command.Parameters.AddWithValue("give_backs", finalizations.Select(f => f.GiveBackAttempt).ToArray());

        var written = new Dictionary<long, JobState>();
        var current = new Dictionary<long, JobState>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await BookkeepingBatch.SkipRelaxAsync(reader, cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            (reader.GetBoolean(2) ? written : current)[reader.GetInt64(0)] = JobStates.Parse(reader.GetString(1));
        }

        return JobStoreResults.Finalized(finalizations, written, current);
    }

    /// <summary>Runs the updates, then reads the job, in one round trip and one transaction.</summary>
    private async Task<Job?> UpdateThenGetAsync(long id, DateTimeOffset now, IReadOnlyList<string> updates, CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        foreach (var sql in updates)
        {
            var update = new NpgsqlBatchCommand(sql);
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("now", JobRows.ToMs(now));
            batch.BatchCommands.Add(update);
        }

        var get = new NpgsqlBatchCommand(SqlText.Get);
        get.Parameters.AddWithValue("id", id);
        batch.BatchCommands.Add(get);
        return (await ReadJobsAsync(batch, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>Runs the batch and reads the job rows it returns (the result of its one statement that selects jobs).</summary>
    private static async Task<List<Job>> ReadJobsAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var jobs = new List<Job>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            // Lock statements return one void column, updates none: only a job row has every job column.
            if (reader.FieldCount != JobColumnCount)
            {
                continue;
            }

            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                jobs.Add(JobRows.Read(reader));
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));

        return jobs;
    }

    private static NpgsqlBatchCommand LeaseCommand(string sql, string node, IReadOnlyList<JobLease> leases)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddWithValue("ids", leases.Select(l => l.Id).ToArray());
        command.Parameters.AddWithValue("claims", leases.Select(l => l.Claims).ToArray());
        command.Parameters.AddWithValue("node", node);
        return command;
    }

    private static async Task<Dictionary<long, T>> ReadPairsAsync<T>(
        NpgsqlDataReader reader, Func<NpgsqlDataReader, T> value, CancellationToken cancellationToken)
    {
        var pairs = new Dictionary<long, T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pairs[reader.GetInt64(0)] = value(reader);
        }

        return pairs;
    }
}
