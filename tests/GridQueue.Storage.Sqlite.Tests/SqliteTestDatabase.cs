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

    public SqliteJobStore OpenStore(TimeProvider? time = null) => new(Options, time);

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
        // Pooled connections keep the file open; release them before removing the folder.
        OpenStore().Connections.ReleasePooledConnections();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}
