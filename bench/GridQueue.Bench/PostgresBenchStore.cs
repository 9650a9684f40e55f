using System.Globalization;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Postgres;
using Npgsql;

namespace GridQueue.Bench;

/// <summary>
/// A new database on the server named by --conn (the run needs an empty one), dropped at the end. The report names
/// the server's version and the settings that decide what a commit costs.
/// </summary>
internal sealed class PostgresBenchStore : BenchStore
{
    private readonly string _adminConnectionString;
    private readonly string _database;
    private readonly string _settings;
    private readonly PostgresJobStore _store;

    private PostgresBenchStore(string adminConnectionString, string database, string connectionString, string settings)
    {
        _adminConnectionString = adminConnectionString;
        _database = database;
        _settings = settings;
        _store = new PostgresJobStore(new PostgresStorageOptions { ConnectionString = connectionString });
    }

    public override IJobStore Store => _store;

    public static PostgresBenchStore Create(string connectionString)
    {
        var database = $"gq_bench_{Guid.NewGuid():N}";
        Execute(connectionString, $"CREATE DATABASE {database}");
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = database };
        var settings = Query(builder.ConnectionString,
            "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync ' || current_setting('fsync') || " +
            "', synchronous_commit ' || current_setting('synchronous_commit') || ', shared_buffers ' || current_setting('shared_buffers')");
        return new PostgresBenchStore(connectionString, database, builder.ConnectionString, settings);
    }

    public override string Describe()
    {
        var server = new NpgsqlConnectionStringBuilder(_adminConnectionString);
        return $"store: postgres, {_settings}, server {server.Host}:{server.Port.ToString(CultureInfo.InvariantCulture)}, temporary database {_database}";
    }

    public override ValueTask DisposeAsync()
    {
        _store.Dispose();
        Execute(_adminConnectionString, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        return ValueTask.CompletedTask;
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static string Query(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (string)command.ExecuteScalar()!;
    }
}
