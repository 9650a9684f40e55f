using GridQueue.Storage.Sqlite.Tasks;
using SQLitePCL;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>
/// Connections from the factory keep their prepared statements' plans: binding a statement's parameters again,
/// LIMIT included, does not make SQLite compile it again. The claim and the event-log read are kept prepared and run
/// hundreds of times a second; compiled afresh at every run they cost about a tenth of the server's CPU.
/// </summary>
public sealed class SqliteConnectionFactoryTests : IAsyncLifetime
{
    /// <summary>SQLITE_STMTSTATUS_REPREPARE: how many times SQLite compiled a statement again on its own.</summary>
    private const int StatementStatusReprepare = 5;

    private readonly SqliteTestDatabase _database = new();

    public async Task InitializeAsync() => await _database.OpenStore().MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => _database.DeleteAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StatementWithABoundLimit_RunAgainWithNewValues_IsNotCompiledAgain(bool bookkeeping)
    {
        var factory = new SqliteConnectionFactory(_database.Options);
        await using var connection = bookkeeping
            ? await factory.OpenBookkeepingAsync(CancellationToken.None)
            : await factory.OpenAsync(CancellationToken.None);

        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_prepare_v2(connection.Handle, TaskSqlText.EventListAfter, out var statement));
        using (statement)
        {
            for (var run = 1; run <= 3; run++)
            {
                Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "@after"), run));
                Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "@limit"), 100 + run));
                Assert.Equal(raw.SQLITE_DONE, raw.sqlite3_step(statement));
                Assert.Equal(raw.SQLITE_OK, raw.sqlite3_reset(statement));
            }

            Assert.Equal(0, raw.sqlite3_stmt_status(statement, StatementStatusReprepare, 0));
        }
    }
}
