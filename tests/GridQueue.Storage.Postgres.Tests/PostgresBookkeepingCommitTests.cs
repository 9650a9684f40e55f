using Npgsql;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>
/// The engine's bookkeeping batches commit without waiting for the log flush, and only they: the setting is local to
/// the batch's transaction and does not stay on the pooled connection for the next caller (an insert must still wait).
/// </summary>
public sealed class PostgresBookkeepingCommitTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync();

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task BookkeepingBatch_RelaxesItsOwnTransactionOnly()
    {
        // One pooled connection, whose session default is a synchronous commit (the test server's is not).
        var builder = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { MaxPoolSize = 1, Options = "-c synchronous_commit=on" };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        await using (var batch = BookkeepingBatch.Create(dataSource))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT current_setting('synchronous_commit')"));
            await using var reader = await batch.ExecuteReaderAsync();
            await BookkeepingBatch.SkipRelaxAsync(reader, CancellationToken.None);
            Assert.True(await reader.ReadAsync());
            Assert.Equal("off", reader.GetString(0));
        }

        await using var after = dataSource.CreateCommand("SELECT current_setting('synchronous_commit')");
        Assert.Equal("on", await after.ExecuteScalarAsync());
    }
}
