using System.Data.Common;
using GridQueue.Engine.Storage;
using GridQueue.Tasks.Admin;
using GridQueue.Tasks.Storage;

namespace GridQueue.Storage.Sqlite.Admin;

/// <summary>
/// The admin console's store on the job store's SQLite file: reads on pooled connections (WAL), writes (purges,
/// audit entries) as BEGIN IMMEDIATE transactions behind the process's write gate, like every other write.
/// </summary>
public sealed class SqliteAdminStore : SqlAdminStore, IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> Texts = EmbeddedSql.ReadAll(typeof(SqliteAdminStore).Assembly, "AdminSql.");

    private readonly SqliteConnectionFactory _connections;
    private readonly SqliteWriter _writer;

    public SqliteAdminStore(SqliteJobStore jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        _connections = jobs.Connections;
        _writer = new SqliteWriter(_connections, durable: true);
    }

    protected override string Sql(string name) => Texts[name].Replace("{columns}", TaskRows.Columns, StringComparison.Ordinal);

    protected override async Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken) =>
        await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);

    protected override Task<T> WriteAsync<T>(string sql, Action<DbCommand> bind, Func<DbCommand, T> run, CancellationToken cancellationToken) =>
        _writer.WriteAsync(
            prepared =>
            {
                var command = prepared(sql);
                bind(command);
                return run(command);
            },
            cancellationToken);

    public void Dispose() => _writer.Dispose();
}
