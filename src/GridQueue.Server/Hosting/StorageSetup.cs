using GridQueue.Engine.Storage;
using GridQueue.Server.Telemetry;
using GridQueue.Storage.Postgres.Admin;
using GridQueue.Storage.Sqlite.Admin;
using GridQueue.Tasks.Admin;
using GridQueue.Storage.Postgres;
using GridQueue.Storage.Postgres.Cluster;
using GridQueue.Storage.Postgres.Tasks;
using GridQueue.Storage.Sqlite;
using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Tasks.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Chooses the storage backend from Storage__Provider and keeps the Data Protection key ring with the database.
/// SQLite (the default): one setting, Storage__DataDirectory, places both (the database as gridqueue.db, the key ring
/// in keys/); relative paths resolve against the working directory, so services and containers should give an
/// absolute one. PostgreSQL: Storage__ConnectionString (or ConnectionStrings__GridQueue) names the database that every
/// node shares; the key ring is a table in it, and the nodes wake each other and elect one leader for the chores.
/// </summary>
public static class StorageSetup
{
    public const string SectionName = "Storage";

    public static IServiceCollection AddGridQueueStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var provider = ProviderOf(configuration);
        switch (provider)
        {
            case Sqlite:
                var options = new SqliteStorageOptions();
                section.Bind(options);
                if (string.IsNullOrWhiteSpace(section["ConnectionString"]))
                {
                    options.ConnectionString = DefaultConnectionString(section["DataDirectory"]);
                }

                services.AddGridQueueSqliteStorage(o =>
                {
                    o.ConnectionString = options.ConnectionString;
                    o.Synchronous = options.Synchronous;
                    o.BusyTimeout = options.BusyTimeout;
                });
                services.AddSingleton(sp => new SqliteTaskStore(sp.GetRequiredService<SqliteJobStore>()));
                services.AddSingleton<ITaskStore>(sp => sp.GetRequiredService<SqliteTaskStore>());
                AddAdminStore(services, sp => new SqliteAdminStore(sp.GetRequiredService<SqliteJobStore>()));
                services.AddSingleton(sp => new GaugeConnections(() =>
                    sp.GetRequiredService<SqliteJobStore>().Connections.OpenAsync().GetAwaiter().GetResult())); // synchronous inside
                AddDataProtection(services, configuration, DatabaseFolder(options.ConnectionString));
                return services;
            case Postgres:
                AddPostgres(services, configuration, section);
                return services;
            default:
                throw new InvalidOperationException($"Storage__Provider is '{provider}'; it must be 'sqlite' or 'postgres'.");
        }
    }

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Storage__Provider, trimmed and lower-cased; sqlite when not set.</summary>
    public static string ProviderOf(IConfiguration configuration) =>
        configuration.GetSection(SectionName)["Provider"] is { Length: > 0 } p ? p.Trim().ToLowerInvariant() : Sqlite;

    private static void AddPostgres(IServiceCollection services, IConfiguration configuration, IConfigurationSection section)
    {
        var connectionString = section["ConnectionString"] is { Length: > 0 } own ? own : configuration.GetConnectionString("GridQueue");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Storage__Provider is 'postgres' but no connection string is set: give Storage__ConnectionString (or " +
                "ConnectionStrings__GridQueue), e.g. Host=db;Database=gridqueue;Username=gridqueue;Password=....");
        }

        services.AddGridQueuePostgresStorage(o =>
        {
            section.Bind(o);
            o.ConnectionString = connectionString;
        });
        services.AddGridQueuePostgresCluster(section.Bind);
        services.AddSingleton(sp => new PostgresTaskStore(sp.GetRequiredService<PostgresJobStore>()));
        services.AddSingleton<ITaskStore>(sp => sp.GetRequiredService<PostgresTaskStore>());
        AddAdminStore(services, sp => new PostgresAdminStore(sp.GetRequiredService<PostgresJobStore>()));
        services.AddSingleton(sp => new GaugeConnections(() => sp.GetRequiredService<PostgresJobStore>().DataSource.OpenConnection()));

        // The key ring is the table gq_dataprotection_keys, which AddGridQueuePostgresCluster wires in.
        services.AddDataProtection().SetApplicationName(ApplicationName);
    }

    /// <summary>The admin console's store, as both the job and the task side ask for it.</summary>
    private static void AddAdminStore(IServiceCollection services, Func<IServiceProvider, SqlAdminStore> create)
    {
        services.AddSingleton(create);
        services.AddSingleton<IJobAdminStore>(sp => sp.GetRequiredService<SqlAdminStore>());
        services.AddSingleton<IAdminStore>(sp => sp.GetRequiredService<SqlAdminStore>());
    }

    /// <summary>The database file: gridqueue.db in Storage__DataDirectory when set (made absolute), else ./data.</summary>
    internal static string DefaultConnectionString(string? dataDirectory) =>
        string.IsNullOrWhiteSpace(dataDirectory)
            ? SqliteStorageOptions.DefaultConnectionString
            : new SqliteConnectionStringBuilder { DataSource = Path.Combine(Path.GetFullPath(dataDirectory), DatabaseFileName) }.ToString();

    /// <summary>The database's file name in a data directory.</summary>
    public const string DatabaseFileName = "gridqueue.db";

    /// <summary>Data Protection's application name: values protected by one node unprotect on every node that shares it.</summary>
    private const string ApplicationName = "GridQueue";

    /// <summary>The key ring's folder, beside the database.</summary>
    public const string KeysFolderName = "keys";

    private static string DatabaseFolder(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return Path.GetDirectoryName(Path.GetFullPath(file)) ?? Directory.GetCurrentDirectory();
    }

    /// <summary>
    /// Users' upstream keys are encrypted with Data Protection. Its key ring lives in DataProtection__KeysDirectory,
    /// by default a "keys" folder beside the database, so a restart (or another server on the same file) can
    /// still decrypt what was stored.
    /// </summary>
    private static void AddDataProtection(IServiceCollection services, IConfiguration configuration, string databaseFolder)
    {
        var keys = configuration["DataProtection:KeysDirectory"] is { Length: > 0 } configured ? configured : Path.Combine(databaseFolder, KeysFolderName);
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
    }
}
