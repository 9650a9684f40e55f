using Microsoft.Data.Sqlite;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>
/// The long-lived read connections with prepared statements: concurrent reads each get a connection, a failed read
/// does not spoil the next, at most <see cref="SqliteReadConnections.MaxIdle"/> stay open, and disposal closes them.
/// </summary>
public sealed class SqliteReadConnectionsTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public async Task InitializeAsync() => await _database.OpenStore().MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task ConcurrentReads_EachGetTheirAnswer_AndAtMostMaxIdleConnectionsStayOpen()
    {
        var readers = new SqliteReadConnections(new SqliteConnectionFactory(_database.Options));
        using var gate = new SemaphoreSlim(0);

        // 40 reads held open at once: each needs a connection of its own.
        var reads = Enumerable.Range(0, 40).Select(n => readers.ReadAsync(
            "SELECT @n * 2",
            n,
            static (parameters, value) => parameters.AddWithValue("@n", value),
            async (command, ct) =>
            {
                await gate.WaitAsync(ct);
                return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            },
            CancellationToken.None)).ToList();
        Assert.Equal(0, readers.IdleCount);
        gate.Release(40);

        Assert.Equal(Enumerable.Range(0, 40).Select(n => n * 2), await Task.WhenAll(reads));
        Assert.Equal(SqliteReadConnections.MaxIdle, readers.IdleCount);

        readers.Dispose();
        Assert.Equal(0, readers.IdleCount);
    }

    [Fact]
    public async Task FailedRead_ReachesItsCaller_AndTheNextReadSucceeds()
    {
        using var readers = new SqliteReadConnections(new SqliteConnectionFactory(_database.Options));

        await Assert.ThrowsAsync<SqliteException>(() => readers.ReadAsync(
            "SELECT no_such_column FROM gq_jobs", 0, static (_, _) => { }, static (command, ct) => command.ExecuteScalarAsync(ct), CancellationToken.None));
        Assert.Equal(0, readers.IdleCount); // closed, not kept

        var count = await readers.ReadAsync(
            "SELECT COUNT(*) FROM gq_jobs", 0, static (_, _) => { }, static (command, ct) => command.ExecuteScalarAsync(ct), CancellationToken.None);
        Assert.Equal(0L, count);
        Assert.Equal(1, readers.IdleCount);
    }
}
