using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// Writes on one long-lived connection whose statements stay prepared (the claim statement alone costs more to
/// compile than to run). The store has two: a durable one for what callers are told has happened (inserts, cancels,
/// re-queues) and a bookkeeping one for the engine's own writes (see SqliteConnectionFactory.OpenBookkeepingAsync).
/// Both take the process's write gate, so a connection is never used by two callers at once, and SQLite's single
/// writer is never contended from inside the process. Any failure closes the connection; the next write opens a
/// fresh one.
/// </summary>
internal sealed class SqliteWriter(SqliteConnectionFactory connections, bool durable) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private bool _disposed;

    /// <summary>Runs <paramref name="work"/> in one BEGIN IMMEDIATE transaction and commits it.</summary>
    /// <param name="work">Gets a factory returning the prepared command for a SQL text, enlisted and with no parameters.</param>
    public async Task<T> WriteAsync<T>(Func<Func<string, SqliteCommand>, T> work, CancellationToken cancellationToken)
    {
        await connections.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connection = _connection ??= durable
                ? await connections.OpenAsync(cancellationToken).ConfigureAwait(false)
                : await connections.OpenBookkeepingAsync(cancellationToken).ConfigureAwait(false);
            var transaction = connection.BeginTransaction(deferred: false);
            try
            {
                var result = work(sql => Prepared(connection, transaction, sql));
                transaction.Commit();
                transaction.Dispose();
                return result;
            }
            catch
            {
                // Roll back, and do not trust the connection again: the next write opens a new one.
                transaction.Dispose();
                Close();
                throw;
            }
        }
        finally
        {
            connections.WriteGate.Release();
        }
    }

    public void Dispose()
    {
        connections.WriteGate.Wait();
        try
        {
            _disposed = true;
            Close();
        }
        finally
        {
            connections.WriteGate.Release();
        }
    }

    private SqliteCommand Prepared(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    private void Close()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _connection?.Dispose();
        _connection = null;
    }
}
