using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database file from a background loop, and keeps the log from growing
/// without end.
/// <para>
/// SQLite would otherwise checkpoint inside whichever commit pushes the log past 1000 pages, and that commit (often an
/// insert a caller waits on) would pay for writing and syncing the database file: the slowest one percent of inserts
/// and pickups. The store's connections turn that automatic checkpoint off; this loop runs a PASSIVE checkpoint, which
/// never blocks readers or writers, every <see cref="Interval"/>.
/// </para>
/// <para>
/// A PASSIVE checkpoint alone never lets the log start over while the store is busy: a writer starts the log again
/// from its beginning only when every frame has been copied and no reader still reads from the log, and with commits
/// every millisecond and reads always in flight that moment never comes. The log then grows by every page written
/// (gigabytes within minutes under steady polling), and each commit appends to new blocks of the file, which the
/// file system must allocate and zero. So once the log holds more than <see cref="RestartAfterFrames"/> frames, the
/// loop takes this process's write gate (writers queue behind it as behind any write) and runs a RESTART checkpoint:
/// it copies the frames committed since the last PASSIVE one, waits at most <see cref="RestartBusyTimeout"/> for
/// readers to leave the log, and the next commit writes the log from its start again, over blocks that already
/// exist. Before that it runs up to two more PASSIVE checkpoints while many frames are still uncopied, so writers
/// wait only for a short copy and the sync of the database file.
/// </para>
/// </summary>
internal sealed partial class SqliteCheckpointer : IDisposable
{
    /// <summary>Time between two rounds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Log frames (pages of 4 KiB) past which the log is started over: about 16 MiB. Each restart holds writers up
    /// (6.7 ms at the median, 18.8 ms at most, with 10,000 tasks polling every 3 s: mostly copying what the writers
    /// queued before the gate committed meanwhile); the log file keeps its size between restarts, so later commits
    /// write over existing blocks.
    /// </summary>
    public const long RestartAfterFrames = 4096;

    /// <summary>
    /// Longest wait of a RESTART checkpoint for readers (and another process's writer) while it holds this process's
    /// writers up. Readers are short; when one is not, the restart waits for a later round.
    /// </summary>
    public static readonly TimeSpan RestartBusyTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Frames left uncopied that writers may wait for; more are copied first by another PASSIVE pass.</summary>
    private const long ResidualFrames = 128;

    private const int MaxPassivePasses = 3;

    private readonly SqliteConnectionFactory _connections;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="interval">Time between rounds; with <see cref="Timeout.InfiniteTimeSpan"/> no loop runs.</param>
    public SqliteCheckpointer(SqliteConnectionFactory connections, TimeSpan interval, ILogger logger)
    {
        _connections = connections;
        _logger = logger;
        _loop = interval == Timeout.InfiniteTimeSpan ? Task.CompletedTask : Task.Run(() => LoopAsync(interval, _stop.Token));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        _stop.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await RunOnceAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed: the loop ends. SQLite checkpoints the log when the last connection closes.
        }
    }

    /// <summary>One round: a PASSIVE checkpoint, and a restart of the log when it has grown past the limit.</summary>
    internal async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!File.Exists(_connections.DataSource + "-wal"))
            {
                return;
            }

            await using var connection = await _connections.OpenForCheckpointAsync(cancellationToken).ConfigureAwait(false);
            var passive = await RunAsync(connection, "PRAGMA wal_checkpoint(PASSIVE);", cancellationToken).ConfigureAwait(false);
            if (passive.LogFrames <= RestartAfterFrames)
            {
                return;
            }

            // Writers will wait for what is left to copy, so copy what was committed meanwhile without them waiting.
            for (var pass = 1; pass < MaxPassivePasses && passive.Uncopied > ResidualFrames; pass++)
            {
                passive = await RunAsync(connection, "PRAGMA wal_checkpoint(PASSIVE);", cancellationToken).ConfigureAwait(false);
            }

            await _connections.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            var held = Stopwatch.GetTimestamp();
            CheckpointResult restart;
            try
            {
                restart = await RunAsync(connection, "PRAGMA wal_checkpoint(RESTART);", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _connections.WriteGate.Release();
            }

            LogRestart(_logger, passive.LogFrames, passive.Uncopied, restart.Busy ? "readers stayed on the log, a later round starts it over" : "it starts over", Stopwatch.GetElapsedTime(held).TotalMilliseconds);
        }
        catch (SqliteException ex)
        {
            // A failed checkpoint loses nothing: the log keeps every commit and the next round tries again.
            LogCheckpointFailed(_logger, ex, _connections.DataSource);
        }
    }

    /// <summary>Runs a checkpoint pragma, which answers one row: busy (0 or 1), frames in the log, frames copied.</summary>
    private static async Task<CheckpointResult> RunAsync(SqliteConnection connection, string pragma, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = pragma;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"'{pragma}' answered no row.");
        }

        return new CheckpointResult(reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2));
    }

    private readonly record struct CheckpointResult(bool Busy, long LogFrames, long CopiedFrames)
    {
        public long Uncopied => LogFrames - CopiedFrames;
    }

    [LoggerMessage(LogLevel.Warning, "Checkpoint of {File} failed; the write-ahead log keeps growing until one succeeds")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string file);

    [LoggerMessage(LogLevel.Debug, "Write-ahead log of {Frames} frames, {Uncopied} not yet copied, checkpointed with writers held for {Milliseconds:F1} ms: {Result}")]
    private static partial void LogRestart(ILogger logger, long frames, long uncopied, string result, double milliseconds);
}
