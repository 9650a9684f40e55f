using GridQueue.Engine.Storage;
using GridQueue.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace GridQueue.Bench;

/// <summary>A fresh SQLite file: a temporary one (deleted afterwards with its -wal and -shm) unless a path is given.</summary>
internal sealed class SqliteBenchStore : BenchStore
{
    private readonly string _path;
    private readonly bool _temporary;
    private readonly SqliteStorageOptions _options;
    private readonly bool _synchronousGiven;
    private readonly SqliteJobStore _store;

    private SqliteBenchStore(string path, bool temporary, SqliteStorageOptions options, bool synchronousGiven)
    {
        _path = path;
        _temporary = temporary;
        _options = options;
        _synchronousGiven = synchronousGiven;
        _store = new SqliteJobStore(options);
    }

    public override IJobStore Store => _store;

    public static SqliteBenchStore Create(string? dbPath, string? synchronous)
    {
        var temporary = dbPath is null;
        var path = Path.GetFullPath(dbPath ?? Path.Combine(Path.GetTempPath(), $"gridqueue-bench-{Guid.NewGuid():N}.db"));
        var options = new SqliteStorageOptions { ConnectionString = new SqliteConnectionStringBuilder { DataSource = path }.ToString() };
        if (synchronous is not null)
        {
            options.Synchronous = synchronous;
        }

        return new SqliteBenchStore(path, temporary, options, synchronous is not null);
    }

    public override string Describe()
    {
        var synchronous = _synchronousGiven
            ? $"{_options.Synchronous} (from --synchronous)"
            : $"{_options.Synchronous} (store default{(string.Equals(_options.Synchronous, "FULL", StringComparison.OrdinalIgnoreCase) ? ", durable" : "")})";
        var file = _temporary ? "temporary file" : "file (kept)";
        return $"store: sqlite, synchronous {synchronous}, WAL, {file} {_path} on {FileSystemOf(_path)}";
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; close them before deleting (the last close also checkpoints the WAL).
        _store.Dispose();
        _store.Connections.ReleasePooledConnections();
        if (_temporary)
        {
            foreach (var suffix in (string[])["", "-wal", "-shm", "-journal"])
            {
                File.Delete(_path + suffix);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The type of the file system holding <paramref name="path"/> (tmpfs would make fsync free).</summary>
    private static string FileSystemOf(string path)
    {
        try
        {
            var drive = DriveInfo.GetDrives()
                .Where(d => path.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
                .MaxBy(d => d.RootDirectory.FullName.Length);
            return drive is null ? "an unknown file system" : $"{drive.DriveFormat} ({drive.RootDirectory.FullName})";
        }
        catch (IOException)
        {
            return "an unknown file system";
        }
        catch (UnauthorizedAccessException)
        {
            return "an unknown file system";
        }
    }
}
