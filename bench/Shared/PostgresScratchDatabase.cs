using System.Globalization;
using Npgsql;

namespace GridQueue.Bench.Shared;

/// <summary>
/// A new database for one run on the server a connection string names (a run needs an empty one), dropped at the
/// end. <see cref="Settings"/> names the server's version and the settings that decide what a commit costs.
/// </summary>
internal sealed class PostgresScratchDatabase
{
    private readonly string _adminConnectionString;

    private PostgresScratchDatabase(string adminConnectionString, string name, string connectionString, string settings)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
        Settings = settings;
    }

    /// <summary>gq_bench_ and a random suffix.</summary>
    public string Name { get; }

    /// <summary>The given connection string with the new database in it.</summary>
    public string ConnectionString { get; }

    /// <summary>e.g. "PostgreSQL 15.8, fsync on, synchronous_commit on, shared_buffers 128MB".</summary>
    public string Settings { get; }

    public static PostgresScratchDatabase Create(string connectionString)
    {
        var name = $"gq_bench_{Guid.NewGuid():N}";
        Execute(connectionString, $"CREATE DATABASE {name}");
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = name };
        var settings = Query(builder.ConnectionString,
            "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync ' || current_setting('fsync') || " +
            "', synchronous_commit ' || current_setting('synchronous_commit') || ', shared_buffers ' || current_setting('shared_buffers')");
        return new PostgresScratchDatabase(connectionString, name, builder.ConnectionString, settings);
    }

    /// <summary>"PostgreSQL ..., server host:port, temporary database gq_bench_...".</summary>
    public string Describe()
    {
        var server = new NpgsqlConnectionStringBuilder(_adminConnectionString);
        return $"{Settings}, server {server.Host}:{server.Port.ToString(CultureInfo.InvariantCulture)}, temporary database {Name}";
    }

    /// <summary>Drops the database, ending any connection still open to it.</summary>
    public void Drop() => Execute(_adminConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");

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
