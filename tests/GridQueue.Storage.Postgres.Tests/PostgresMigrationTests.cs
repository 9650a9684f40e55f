using GridQueue.Postgres.Testing;
using Npgsql;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>Migrations on a fresh database: nodes starting together, and a database newer than the build.</summary>
public sealed class PostgresMigrationTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync();

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task Migrate_SixNodesAtOnceOnFreshDatabase_EachMigrationAppliedOnce()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => _database.OpenStore()).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(CancellationToken.None))));

        var versions = await ReadVersionsAsync();
        Assert.Equal(SqlText.Migrations.Select(m => m.Version), versions);
        foreach (var store in stores)
        {
            Assert.True(await store.IsReadyAsync(CancellationToken.None));
        }
    }

    [Fact]
    public async Task IsReady_BeforeMigrate_IsFalse()
    {
        Assert.False(await _database.OpenStore().IsReadyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Migrate_DatabaseOfNewerBuild_IsRefusedWithVersions()
    {
        var store = _database.OpenStore();
        await store.MigrateAsync(CancellationToken.None);
        await ExecuteAsync("INSERT INTO gq_migrations (version, name, applied_at) VALUES (999, '999_future', 0)");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.OpenStore().MigrateAsync(CancellationToken.None));

        Assert.Contains("schema version 999", ex.Message, StringComparison.Ordinal);
        // The refused run released the migration lock: a later migration does not wait forever.
        await ExecuteAsync("DELETE FROM gq_migrations WHERE version = 999");
        await store.MigrateAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<List<int>> ReadVersionsAsync()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM gq_migrations ORDER BY version", connection);
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
