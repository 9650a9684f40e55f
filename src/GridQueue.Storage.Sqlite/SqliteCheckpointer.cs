using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database file from a background loop. SQLite would otherwise do it
/// inside whichever commit pushes the log past 1000 pages, and that commit (often an insert a caller waits on) would
/// pay for writing and syncing the database file: the slowest one percent of inserts and pickups. The store's
/// connections turn that automatic checkpoint off; this loop runs a PASSIVE checkpoint, which never blocks readers
/// or writers, every <see cref="Interval"/>.
/// </summary>
internal sealed partial class SqliteCheckpointer : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly SqliteConnectionFactory _connections;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SqliteCheckpointer(SqliteConnectionFactory connections, ILogger logger)
    {
        _connections = connections;
        _logger = logger;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await CheckpointAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed: the loop ends. SQLite checkpoints the log when the last connection closes.
        }
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!File.Exists(_connections.DataSource + "-wal"))
            {
                return;
            }

            await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            // A failed checkpoint loses nothing: the log keeps every commit and the next round tries again.
            LogCheckpointFailed(_logger, ex, _connections.DataSource);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Checkpoint of {File} failed; the write-ahead log keeps growing until one succeeds")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string file);
}
