using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// Long-lived read connections whose statements stay prepared, for the reads made at every upstream poll and every
/// push: a task by its id, the event log after a sequence, and the engine's next due job. A pooled open with a new command parses and plans its
/// statement again at every call, which cost as much CPU as running it. A read takes an idle connection or opens one,
/// so concurrent reads never wait for each other; at most <see cref="MaxIdle"/> stay open between reads. A connection
/// whose read failed is closed, not reused.
/// </summary>
internal sealed class SqliteReadConnections(SqliteConnectionFactory connections) : IDisposable
{
    /// <summary>Idle connections kept for the next reads; more are closed when their read ends.</summary>
    public const int MaxIdle = 16;

    private readonly ConcurrentStack<ReadConnection> _idle = new();
    private int _idleCount;
    private int _disposed;

    /// <summary>Connections open and waiting for the next read.</summary>
    internal int IdleCount => Volatile.Read(ref _idleCount);

    /// <summary>
    /// Runs <paramref name="read"/> on the prepared command for <paramref name="sql"/>, after
    /// <paramref name="bind"/> has set its parameters.
    /// </summary>
    public async Task<T> ReadAsync<TState, T>(
        string sql,
        TState state,
        Action<SqliteParameterCollection, TState> bind,
        Func<SqliteCommand, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        var connection = Rent() ?? new ReadConnection(await connections.OpenAsync(cancellationToken).ConfigureAwait(false));
        var succeeded = false;
        try
        {
            var command = connection.Prepared(sql);
            bind(command.Parameters, state);
            var result = await read(command, cancellationToken).ConfigureAwait(false);
            succeeded = true;
            return result;
        }
        finally
        {
            Return(connection, succeeded);
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        CloseIdle();
    }

    private ReadConnection? Rent()
    {
        if (!_idle.TryPop(out var connection))
        {
            return null;
        }

        Interlocked.Decrement(ref _idleCount);
        return connection;
    }

    private void Return(ReadConnection connection, bool reusable)
    {
        if (!reusable || Volatile.Read(ref _disposed) == 1)
        {
            connection.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
            return;
        }

        _idle.Push(connection);
        if (Volatile.Read(ref _disposed) == 1)
        {
            CloseIdle(); // disposed meanwhile: nothing may stay open
        }
    }

    private void CloseIdle()
    {
        while (Rent() is { } connection)
        {
            connection.Dispose();
        }
    }

    private sealed class ReadConnection(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

        public SqliteCommand Prepared(string sql)
        {
            if (!_prepared.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
                command.CommandText = sql;
                _prepared[sql] = command;
            }

            command.Parameters.Clear();
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _prepared.Values)
            {
                command.Dispose();
            }

            connection.Dispose();
        }
    }
}
