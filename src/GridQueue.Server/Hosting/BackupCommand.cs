using GridQueue.Storage.Sqlite;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Hosting;

/// <summary>
/// <c>GridQueue.Server backup &lt;folder&gt; [settings]</c>: a consistent copy of a live server's data, taken while it
/// serves. The database is copied with SQLite's <c>VACUUM INTO</c> (one read transaction: a snapshot of one moment,
/// compacted, without the write-ahead log), then the key ring that encrypts users' upstream keys. Keys are only ever
/// added, and the snapshot can only hold values encrypted with keys that existed when it was taken, so copying the
/// ring afterwards makes every stored key decryptable. The folder is then a data directory of its own: start a server
/// with <c>Storage__DataDirectory</c> set to it to restore. The server's configuration (environment, appsettings,
/// <c>--Section:Key=value</c> after the folder) says which database and key ring are copied.
/// </summary>
public static class BackupCommand
{
    public const string Command = "backup";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length < 2 || string.IsNullOrWhiteSpace(args[1]))
        {
            await Console.Error.WriteLineAsync("usage: GridQueue.Server backup <new or empty folder> [--Section:Key=value ...]").ConfigureAwait(false);
            return 2;
        }

        var target = Path.GetFullPath(args[1]);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            await Console.Error.WriteLineAsync($"backup: {target} is not empty; give a new or empty folder.").ConfigureAwait(false);
            return 2;
        }

        // The server's own wiring, built but not started: the same settings find the same database and key ring.
        await using var app = ServerApp.Build(args[2..]);
        if (StorageSetup.ProviderOf(app.Configuration) == StorageSetup.Postgres)
        {
            await Console.Error.WriteLineAsync(
                "backup: this command copies a SQLite database; on PostgreSQL use pg_dump (the key ring is in the same " +
                "database, table gq_dataprotection_keys, so one dump holds both).").ConfigureAwait(false);
            return 2;
        }

        var store = app.Services.GetRequiredService<SqliteJobStore>();
        var keyRing = (app.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository as FileSystemXmlRepository)?.Directory
            ?? throw new InvalidOperationException("The key ring is not kept in a folder; nothing to copy it from.");

        Directory.CreateDirectory(target);
        var database = Path.Combine(target, StorageSetup.DatabaseFileName);
        await using (var connection = await store.Connections.OpenAsync().ConfigureAwait(false))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "VACUUM INTO @file;";
            command.Parameters.AddWithValue("@file", database);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        var keys = Directory.CreateDirectory(Path.Combine(target, StorageSetup.KeysFolderName));
        var copied = 0;
        if (keyRing.Exists)
        {
            foreach (var file in keyRing.EnumerateFiles("*.xml"))
            {
                file.CopyTo(Path.Combine(keys.FullName, file.Name));
                copied++;
            }
        }

        Console.WriteLine($"backup: {store.Connections.DataSource} -> {database} ({new FileInfo(database).Length} bytes), {copied} key file(s) -> {keys.FullName}");
        return 0;
    }
}
