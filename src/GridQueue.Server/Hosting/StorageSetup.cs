using GridQueue.Storage.Sqlite;
using GridQueue.Storage.Sqlite.Tasks;
using GridQueue.Tasks.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;

namespace GridQueue.Server.Hosting;

/// <summary>
/// Chooses the storage backend from Storage__Provider and keeps Data Protection keys beside the database. One setting,
/// Storage__DataDirectory, places both (the database as gridqueue.db, the key ring in keys/); relative paths resolve
/// against the working directory, so services and containers should give an absolute one.
/// </summary>
public static class StorageSetup
{
    public const string SectionName = "Storage";

    public static IServiceCollection AddGridQueueStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var provider = section["Provider"] is { Length: > 0 } p ? p.Trim().ToLowerInvariant() : "sqlite";
        switch (provider)
        {
            case "sqlite":
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
                AddDataProtection(services, configuration, DatabaseFolder(options.ConnectionString));
                return services;
            case "postgres":
                throw new InvalidOperationException(
                    "Storage__Provider 'postgres' is not available in this version yet; use 'sqlite' (the default).");
            default:
                throw new InvalidOperationException($"Storage__Provider is '{provider}'; it must be 'sqlite' or 'postgres'.");
        }
    }

    /// <summary>The database file: gridqueue.db in Storage__DataDirectory when set (made absolute), else ./data.</summary>
    internal static string DefaultConnectionString(string? dataDirectory) =>
        string.IsNullOrWhiteSpace(dataDirectory)
            ? SqliteStorageOptions.DefaultConnectionString
            : new SqliteConnectionStringBuilder { DataSource = Path.Combine(Path.GetFullPath(dataDirectory), DatabaseFileName) }.ToString();

    /// <summary>The database's file name in a data directory.</summary>
    public const string DatabaseFileName = "gridqueue.db";

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
            .SetApplicationName("GridQueue")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
    }
}
