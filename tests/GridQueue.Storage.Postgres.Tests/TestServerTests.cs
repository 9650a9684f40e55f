using GridQueue.Postgres.Testing;
using Npgsql;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>The test server fixture itself: databases of their own, dropped even while connections remain.</summary>
public sealed class TestServerTests
{
    [Fact]
    public async Task CreateDatabase_TwoDatabases_DoNotSeeEachOthersTables()
    {
        await using var first = await PostgresTestServer.CreateDatabaseAsync();
        await using var second = await PostgresTestServer.CreateDatabaseAsync();

        await ExecuteAsync(first.ConnectionString, "CREATE TABLE only_here (id int)");

        Assert.NotEqual(first.Name, second.Name);
        Assert.Equal(1L, await ScalarAsync(first.ConnectionString, "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'only_here'"));
        Assert.Equal(0L, await ScalarAsync(second.ConnectionString, "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'only_here'"));
    }

    [Fact]
    public async Task Dispose_WithAnOpenConnection_DropsTheDatabase()
    {
        var database = await PostgresTestServer.CreateDatabaseAsync();
        await using var open = new NpgsqlConnection(database.ConnectionString);
        await open.OpenAsync();

        await database.DisposeAsync();

        Assert.Equal(0L, await ScalarAsync(PostgresTestServer.AdminConnectionString,
            $"SELECT COUNT(*) FROM pg_database WHERE datname = '{database.Name}'"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
