using System.Globalization;
using Npgsql;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// Applies the embedded numbered migrations (Migrations/NNN_name.sql) not yet recorded in gq_migrations. Nodes that
/// start together queue on one session-level advisory lock, so each migration runs once; each runs in its own
/// transaction with its ledger row, so a failure leaves the database at the last whole version.
/// </summary>
internal sealed class PostgresMigrator(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>The advisory lock key of migrations: "gqmigrat" read as a 64-bit number, fixed for every version.</summary>
    private const long MigrationLock = 0x67716d6967726174;

    private const string CreateLedger =
        "CREATE TABLE IF NOT EXISTS gq_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLock.ToString(CultureInfo.InvariantCulture)})", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, CreateLedger, cancellationToken).ConfigureAwait(false);
            var applied = await AppliedVersionsAsync(connection, cancellationToken).ConfigureAwait(false);
            RefuseNewerSchema(applied, connection.Database);
            foreach (var (version, name, sql) in SqlText.Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO gq_migrations (version, name, applied_at) VALUES (@v, @n, @t)", connection))
                {
                    record.Parameters.AddWithValue("v", version);
                    record.Parameters.AddWithValue("n", name);
                    record.Parameters.AddWithValue("t", time.GetUtcNow().ToUnixTimeMilliseconds());
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Not cancellable: the lock must be released even when the caller gave up (closing would too, but the
            // connection goes back to the pool, still holding it).
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLock.ToString(CultureInfo.InvariantCulture)})", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>True when the ledger records every migration this build carries.</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('gq_migrations') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return false;
        }

        var applied = await AppliedVersionsAsync(connection, cancellationToken).ConfigureAwait(false);
        return SqlText.Migrations.All(m => applied.Contains(m.Version));
    }

    /// <summary>
    /// An older build must not run on a schema a newer one made: it would write rows the newer code does not expect
    /// (or miss columns it relies on). Start-up stops with a message instead.
    /// </summary>
    private static void RefuseNewerSchema(HashSet<int> applied, string database)
    {
        var known = SqlText.Migrations.Count == 0 ? 0 : SqlText.Migrations.Max(m => m.Version);
        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > known)
        {
            throw new InvalidOperationException(
                $"PostgreSQL database {database} has schema version {newest.ToString(CultureInfo.InvariantCulture)}, newer than this build knows " +
                $"({known.ToString(CultureInfo.InvariantCulture)}): it was used by a newer GridQueue. Run that version (or newer), or restore a backup taken before the upgrade.");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM gq_migrations", connection);
        var versions = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}
