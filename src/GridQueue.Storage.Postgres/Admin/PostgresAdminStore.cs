using System.Data.Common;
using GridQueue.Engine.Storage;
using GridQueue.Tasks.Admin;
using GridQueue.Tasks.Storage;
using Npgsql;

namespace GridQueue.Storage.Postgres.Admin;

/// <summary>The admin console's store on the shared PostgreSQL database: each operation one statement on a pooled connection.</summary>
public sealed class PostgresAdminStore(PostgresJobStore jobs) : SqlAdminStore
{
    private static readonly IReadOnlyDictionary<string, string> Texts = EmbeddedSql.ReadAll(typeof(PostgresAdminStore).Assembly, "AdminSql.");

    private readonly NpgsqlDataSource _dataSource = (jobs ?? throw new ArgumentNullException(nameof(jobs))).DataSource;

    protected override string Sql(string name) => Texts[name].Replace("{columns}", TaskRows.Columns, StringComparison.Ordinal);

    protected override async Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected override async Task<T> WriteAsync<T>(string sql, Action<DbCommand> bind, Func<DbCommand, T> run, CancellationToken cancellationToken)
    {
        // One statement: it commits on its own (autocommit).
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        return run(command);
    }
}
