using System.Collections.Concurrent;
using System.Data.Common;
using GridQueue.Engine.Storage;
using GridQueue.Postgres.Testing;
using GridQueue.Storage.Testing;
using Npgsql;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>A fresh database on the test run's PostgreSQL server, dropped afterwards.</summary>
public sealed class PostgresTestDatabase : ITestDatabase
{
    private readonly ConcurrentBag<PostgresJobStore> _opened = [];
    private readonly ConcurrentBag<NpgsqlConnection> _appConnections = [];
    private TestDatabase? _database;

    public string ConnectionString => _database?.ConnectionString ?? throw new InvalidOperationException("The database is not created yet.");

    public async Task<IJobStore> CreateStoreAsync()
    {
        await CreateAsync();
        var store = OpenStore();
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Creates the empty database (no migrations), for tests that migrate themselves.</summary>
    public async Task CreateAsync() => _database ??= await PostgresTestServer.CreateDatabaseAsync();

    public PostgresJobStore OpenStore(TimeProvider? time = null)
    {
        var store = new PostgresJobStore(new PostgresStorageOptions { ConnectionString = ConnectionString }, time);
        _opened.Add(store);
        return store;
    }

    public IJobStore OpenSecondStore() => OpenStore();

    public async Task<DbConnection> OpenAppConnectionAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        _appConnections.Add(connection);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DeleteAsync()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        foreach (var connection in _appConnections)
        {
            await connection.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
