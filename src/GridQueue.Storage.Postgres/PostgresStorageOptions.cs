using System.ComponentModel.DataAnnotations;

namespace GridQueue.Storage.Postgres;

/// <summary>How the PostgreSQL store reaches its database.</summary>
public sealed class PostgresStorageOptions
{
    /// <summary>
    /// An Npgsql connection string, e.g. <c>Host=db;Database=gridqueue;Username=gridqueue;Password=...</c>. Every node
    /// of a cluster names the same database. The pool's size (Maximum Pool Size, default 100) bounds the store's
    /// connections per node.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = "";
}
