using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>
/// The Data Protection key ring in the shared database (table gq_dataprotection_keys, migration 003), so that a
/// user's upstream key encrypted on one node decrypts on every other. Data Protection calls it synchronously, at start
/// and when it refreshes its ring; a node that meets a value encrypted with a key it has not loaded yet reloads the
/// ring and finds it here. The table is made by the store's migrations, which the repository applies itself on first
/// use, as Data Protection may read the ring before the engine has started.
/// </summary>
public sealed class PostgresKeyRing(PostgresJobStore store) : IXmlRepository
{
    private readonly Lock _gate = new();
    private Task? _migrated;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureMigrated();
        using var connection = store.DataSource.OpenConnection();
        using var command = new NpgsqlCommand("SELECT xml FROM gq_dataprotection_keys ORDER BY id", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        EnsureMigrated();
        using var connection = store.DataSource.OpenConnection();
        using var command = new NpgsqlCommand(
            "INSERT INTO gq_dataprotection_keys (friendly_name, xml) VALUES (@name, @xml)", connection);
        command.Parameters.AddWithValue("name", friendlyName ?? "");
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    // Data Protection's interface is synchronous; the migrator is not. Waiting here blocks one thread once, at start.
    // A failed attempt (the database was down) is not remembered: the next call tries again.
    private void EnsureMigrated()
    {
        Task migrated;
        lock (_gate)
        {
            if (_migrated is null || _migrated.IsFaulted || _migrated.IsCanceled)
            {
                _migrated = store.MigrateAsync(CancellationToken.None);
            }

            migrated = _migrated;
        }

        migrated.GetAwaiter().GetResult();
    }
}
