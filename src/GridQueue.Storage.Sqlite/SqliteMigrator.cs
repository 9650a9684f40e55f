using System.Globalization;
using GridQueue.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// Applies the embedded numbered migrations (Migrations/NNN_name.sql) not yet recorded in gq_migrations. The whole
/// run is one BEGIN IMMEDIATE transaction, so two processes starting together apply each migration once.
/// </summary>
internal sealed class SqliteMigrator(SqliteConnectionFactory connections, TimeProvider time)
{
    private const string CreateLedger =
        "CREATE TABLE IF NOT EXISTS gq_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await EnableWalAsync(connection, cancellationToken).ConfigureAwait(false);

        await connections.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = connection.BeginTransaction();
            await using (var ledger = connection.CreateCommand())
            {
                ledger.CommandText = CreateLedger;
                await ledger.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var applied = await AppliedVersionsAsync(connection, cancellationToken).ConfigureAwait(false);
            EmbeddedSql.RefuseNewerSchema(applied, SqlText.Migrations, $"SQLite file {connections.DataSource}");
            foreach (var (version, name, sql) in SqlText.Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await using var migrate = connection.CreateCommand();
                migrate.CommandText = sql;
                await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

                await using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO gq_migrations (version, name, applied_at) VALUES (@v, @n, @t);";
                record.Parameters.AddWithValue("@v", version);
                record.Parameters.AddWithValue("@n", name);
                record.Parameters.AddWithValue("@t", UnixTime.ToMs(time.GetUtcNow()));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connections.WriteGate.Release();
        }
    }

    /// <summary>True when the ledger records the newest migration this build carries.</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'gq_migrations';";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return false;
        }

        var applied = await AppliedVersionsAsync(connection, cancellationToken).ConfigureAwait(false);
        return SqlText.Migrations.All(m => applied.Contains(m.Version));
    }

    private async Task EnableWalAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // WAL lets readers run beside the one writer and makes each commit a sequential append. The setting is
        // stored in the file, so every later connection, in any process, uses it too.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"SQLite file {connections.DataSource} could not be switched to WAL mode (it reports '{mode}'). Is it on a network file system?");
        }
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM gq_migrations;";
        var versions = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}
