using System.Globalization;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>
/// <see cref="ILeaderElector"/> on PostgreSQL: the leader is the node whose dedicated connection holds a session-level
/// advisory lock. The others try to take it every retry interval; the leader uses the same interval to check that its
/// connection is alive. The lock lives exactly as long as the leader's session, so a leader that dies, is stopped or
/// has its connection ended lets another node lead within about one interval, with no lease row to expire or clean.
/// A leader that loses its connection steps down at once and tries again like any other node.
/// </summary>
public sealed partial class PostgresLeaderElector : ILeaderElector, IHostedService, IAsyncDisposable
{
    /// <summary>The advisory lock key of leadership: "gqleader" read as a 64-bit number.</summary>
    internal const long LeaderLock = 0x67716c6561646572;

    private readonly string _connectionString;
    private readonly TimeSpan _retryInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile bool _isLeader;
    private int _processId;

    public PostgresLeaderElector(
        string connectionString, TimeSpan retryInterval, TimeProvider? time = null, ILogger<PostgresLeaderElector>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryInterval, TimeSpan.Zero);
        _connectionString = DedicatedConnection.For(connectionString, "leader");
        _retryInterval = retryInterval;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public bool IsLeader => _isLeader;

    /// <summary>The server process of the elector's connection, 0 while there is none (tests end it).</summary>
    internal int ProcessId => Volatile.Read(ref _processId);

    /// <summary>Starts trying to lead. Idempotent.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _loop ??= Task.Run(() => ElectAsync(_stop.Token));
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <summary>Steps down (the connection closes, and the lock with it) and stops trying. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            loop = _loop;
            _stop.Cancel();
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task ElectAsync(CancellationToken stopping)
    {
        NpgsqlConnection? connection = null;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    if (connection is null)
                    {
                        connection = new NpgsqlConnection(_connectionString);
                        await connection.OpenAsync(stopping).ConfigureAwait(false);
                        Volatile.Write(ref _processId, connection.ProcessID);
                    }

                    // A leader asks again too: it holds the lock already (advisory locks stack within a session, so
                    // unlock the extra hold), and the round trip proves the session, and with it the lead, is alive.
                    var held = await TryLockAsync(connection, stopping).ConfigureAwait(false);
                    if (held && _isLeader)
                    {
                        await UnlockOnceAsync(connection, stopping).ConfigureAwait(false);
                    }
                    else if (held)
                    {
                        _isLeader = true;
                        LogLeading();
                    }
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    StepDown(e);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }
                }

                await Task.Delay(_retryInterval, _time, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: closing the connection below releases the lock.
        }
        finally
        {
            _isLeader = false;
            Volatile.Write(ref _processId, 0);
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void StepDown(Exception e)
    {
        var wasLeader = _isLeader;
        _isLeader = false;
        Volatile.Write(ref _processId, 0);
        LogConnectionLost(e, wasLeader, _retryInterval);
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT pg_try_advisory_lock({LeaderLock.ToString(CultureInfo.InvariantCulture)})", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task UnlockOnceAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT pg_advisory_unlock({LeaderLock.ToString(CultureInfo.InvariantCulture)})", connection);
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This node now leads the cluster's chores (rescue, cleanup, sweeping).")]
    private partial void LogLeading();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The leader election connection failed (this node was leading: {WasLeading}); trying again in {Delay}.")]
    private partial void LogConnectionLost(Exception exception, bool wasLeading, TimeSpan delay);
}
