using System.ComponentModel.DataAnnotations;

namespace GridQueue.Storage.Sqlite;

/// <summary>How the SQLite store opens its file.</summary>
public sealed class SqliteStorageOptions
{
    public const string DefaultConnectionString = "Data Source=./data/gridqueue.db";
    public const string DefaultSynchronous = "FULL";
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A Microsoft.Data.Sqlite connection string naming a file. Its folder is created when missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// SQLite's <c>synchronous</c> setting. FULL (default) syncs the write-ahead log on every commit: a committed
    /// job survives a power loss. NORMAL syncs only at checkpoints: faster, still safe when the process crashes, but a
    /// power loss can undo the last commits. OFF is for throw-away data only.
    /// </summary>
    [RegularExpression("^(?i:FULL|NORMAL|OFF|EXTRA)$", ErrorMessage = "Synchronous must be FULL, NORMAL, EXTRA or OFF.")]
    public string Synchronous { get; set; } = DefaultSynchronous;

    /// <summary>
    /// How long a statement waits for another process's write lock before it fails with SQLITE_BUSY (whole seconds,
    /// at least 1). Engine loops log the failure and try again; an insert passes it to its caller.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "BusyTimeout must be between 1 second and 1 hour.")]
    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;

    /// <summary>
    /// Time between two rounds of the background checkpoint (<see cref="SqliteCheckpointer"/>). Tests set
    /// <see cref="Timeout.InfiniteTimeSpan"/> to run the rounds themselves.
    /// </summary>
    internal TimeSpan CheckpointInterval { get; set; } = SqliteCheckpointer.Interval;
}
