using System.ComponentModel.DataAnnotations;

namespace GridQueue.Storage.Postgres;

/// <summary>How the PostgreSQL store reaches its database.</summary>
public sealed class PostgresStorageOptions
{
    /// <summary>
    /// An Npgsql connection string, e.g. <c>Host=db;Database=gridqueue;Username=gridqueue;Password=...</c>. Every node
    /// of a cluster names the same database. The pool's size (Maximum Pool Size, by default two per processor, at
    /// least 4) bounds the store's connections per node; besides the pool a node holds one listening connection, one
    /// that sends notifications and the leader's.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = "";

    public static readonly TimeSpan DefaultListenRetryMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The longest pause between attempts to re-open the listening connection (the pause doubles from 0.5 s).</summary>
    public TimeSpan ListenRetryMaxDelay { get; set; } = DefaultListenRetryMaxDelay;
}
