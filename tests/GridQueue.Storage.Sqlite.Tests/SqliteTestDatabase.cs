using System.Data.Common;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Testing;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>A fresh SQLite file in its own temporary folder, removed afterwards.</summary>
public sealed class SqliteTestDatabase : ITestDatabase
{
    public SqliteTestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "gridqueue-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "jobs.db");
    }

    public string Folder { get; }
    public string FilePath { get; }

    public SqliteStorageOptions Options => new() { ConnectionString = $"Data Source={FilePath}" };

    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteJobStore> _opened = [];

    public SqliteJobStore OpenStore(TimeProvider? time = null)
    {
        var store = new SqliteJobStore(Options, time);
        _opened.Add(store);
        return store;
    }

    public async Task<IJobStore> CreateStoreAsync()
    {
        var store = OpenStore();
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public IJobStore OpenSecondStore() => OpenStore();

    public async Task<DbConnection> OpenAppConnectionAsync() => await OpenStore().Connections.OpenAsync();

    public Task DeleteAsync()
    {
        // Open connections keep the file; release them before removing the folder.
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        new SqliteConnectionFactory(Options).ReleasePooledConnections();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}
