using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// Opens connections to one SQLite file with the settings every connection needs (they are per connection in
/// SQLite), and serializes this process's own write transactions: SQLite admits one writer at a time, and queueing
/// in process is cheaper and fairer than spinning on SQLITE_BUSY. Other processes are handled by busy_timeout.
/// </summary>
public sealed class SqliteConnectionFactory
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);

    /// <summary>
    /// The pragmas last run on each open database handle. Pooled connections keep their handle, and the pragmas
    /// last as long as it does, so a connection taken from the pool runs them only when it last served another
    /// setting (durable or bookkeeping): parsing and running four statements at every open cost a read as much as
    /// the read itself.
    /// </summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, string> Applied = new();
    private readonly string _connectionString;
    private readonly string _durablePragmas;
    private readonly string _bookkeepingPragmas;
    private readonly string _checkpointPragmas;

    public SqliteConnectionFactory(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException(
                "Storage:ConnectionString must name a database file (e.g. 'Data Source=./data/gridqueue.db'); an in-memory database cannot be shared by the engine's connections.",
                nameof(options));
        }

        DataSource = Path.GetFullPath(builder.DataSource);
        builder.DataSource = DataSource;
        builder.Pooling = true;

        // Microsoft.Data.Sqlite retries a busy statement until its command timeout; SQLite's busy_timeout (set in
        // the pragmas) waits inside each try. Both get the configured limit, so BusyTimeout means what it says.
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        _connectionString = builder.ToString();
        var synchronous = options.Synchronous.ToUpperInvariant();
        _durablePragmas = Pragmas(options, synchronous);
        _bookkeepingPragmas = Pragmas(options, synchronous is "FULL" or "EXTRA" ? "NORMAL" : synchronous);
        _checkpointPragmas = string.Create(
            CultureInfo.InvariantCulture, $"{_bookkeepingPragmas} PRAGMA busy_timeout = {(int)SqliteCheckpointer.RestartBusyTimeout.TotalMilliseconds};");
        var folder = Path.GetDirectoryName(DataSource);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        WriteGate = WriteGates.GetOrAdd(DataSource, _ => new SemaphoreSlim(1, 1));
    }

    /// <summary>The full path of the database file.</summary>
    public string DataSource { get; }

    /// <summary>Held by this process's store while it writes.</summary>
    internal SemaphoreSlim WriteGate { get; }

    /// <summary>Closes this file's idle pooled connections (before deleting or moving the file).</summary>
    public void ReleasePooledConnections()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>
    /// Opens a connection with busy_timeout, the configured synchronous level and foreign keys set. Applications use
    /// it for their own rows, to insert jobs in the same transaction (begin it with BeginTransaction(), which is
    /// BEGIN IMMEDIATE).
    /// </summary>
    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        OpenAsync(_durablePragmas, cancellationToken);

    /// <summary>
    /// Opens a connection for the engine's own bookkeeping (claims, outcomes, heartbeats, rescues, clean-up).
    /// Under FULL it commits with NORMAL: the commit is not synced on its own, but the next durable commit syncs the
    /// write-ahead log up to and including it. A power cut can therefore undo only the last bookkeeping commits,
    /// which makes those jobs run again: the at-least-once promise already covers that. Nothing acknowledged to a
    /// caller (inserts, cancels, re-queues) goes through this path.
    /// </summary>
    internal Task<SqliteConnection> OpenBookkeepingAsync(CancellationToken cancellationToken) =>
        OpenAsync(_bookkeepingPragmas, cancellationToken);

    /// <summary>
    /// Opens a connection for the background checkpoint: the bookkeeping settings with the busy timeout of
    /// <see cref="SqliteCheckpointer.RestartBusyTimeout"/>, since a checkpoint that waits for readers does so while
    /// holding up writers.
    /// </summary>
    internal Task<SqliteConnection> OpenForCheckpointAsync(CancellationToken cancellationToken) =>
        OpenAsync(_checkpointPragmas, cancellationToken);

    private async Task<SqliteConnection> OpenAsync(string pragmas, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var handle = connection.Handle!;
            if (Applied.TryGetValue(handle, out var applied))
            {
                if (string.Equals(applied, pragmas, StringComparison.Ordinal))
                {
                    return connection;
                }
            }
            else
            {
                KeepPlansStable(handle);
            }

            await using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Applied.AddOrUpdate(handle, pragmas);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Turns on SQLite's query planner stability guarantee for a newly opened handle: plans then never depend on
    /// bound values. Without it SQLite reads a bound <c>LIMIT @n</c> while planning and marks the statement to be
    /// planned again whenever that parameter is bound, so the kept-prepared claim and event-log reads were compiled
    /// afresh at every run (about a tenth of the server's CPU at 10,000 polling tasks). The setting lasts as long
    /// as the handle, which the pool keeps.
    /// </summary>
    private static void KeepPlansStable(SQLitePCL.sqlite3 handle)
    {
        var rc = SQLitePCL.raw.sqlite3_db_config(handle, SQLitePCL.raw.SQLITE_DBCONFIG_ENABLE_QPSG, 1, out var enabled);
        if (rc != SQLitePCL.raw.SQLITE_OK || enabled != 1)
        {
            throw new InvalidOperationException($"SQLite refused the query planner stability setting (result {rc}).");
        }
    }

    private static string Pragmas(SqliteStorageOptions options, string synchronous) => string.Create(
        CultureInfo.InvariantCulture,
        $"PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {JournalSizeLimit};");

    /// <summary>
    /// Bytes the write-ahead log file keeps when it is started again from its beginning: a burst can grow it far
    /// past that, and without a limit it would keep its largest size on disk for good.
    /// </summary>
    internal const long JournalSizeLimit = 64L * 1024 * 1024;

}
