using System.Globalization;
using System.Reflection;

namespace GridQueue.Engine.Storage;

/// <summary>
/// How SQL stores keep their SQL: one statement per file embedded in the store's assembly, and numbered migrations
/// (Migrations/NNN_name.sql, embedded as "Migrations.NNN_name.sql") applied in order and recorded by version.
/// </summary>
public static class EmbeddedSql
{
    private const string MigrationPrefix = "Migrations.";

    /// <summary>The text of an embedded file; throws naming the file when the build left it out.</summary>
    public static string Read(Assembly assembly, string name)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded SQL '{name}' is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Every embedded file under <paramref name="prefix"/> ("AdminSql."), by its name without prefix and ".sql", with its
    /// whole-line comments removed: they document the file, and a driver that rewrites parameters and splits
    /// statements at semicolons (Npgsql) then never reads the prose.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadAll(Assembly assembly, string prefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .ToDictionary(
                n => n[prefix.Length..^4],
                n => string.Join('\n', Read(assembly, n).Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))),
                StringComparer.Ordinal);
    }

    /// <summary>The assembly's numbered migrations in order: (version, name, SQL).</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(MigrationPrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[MigrationPrefix.Length..^4];
                return (int.Parse(file.Split('_', 2)[0], CultureInfo.InvariantCulture), file, Read(assembly, n));
            })
            .OrderBy(m => m.Item1)];
    }

    /// <summary>
    /// An older build must not run on a schema a newer one made: it would write rows the newer code does not expect
    /// (or miss columns it relies on). Start-up stops with a message naming both versions instead.
    /// </summary>
    /// <param name="database">How the message names the database, e.g. "SQLite file /data/gridqueue.db".</param>
    public static void RefuseNewerSchema(
        IReadOnlyCollection<int> applied, IReadOnlyList<(int Version, string Name, string Sql)> known, string database)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(known);
        var newestKnown = known.Count == 0 ? 0 : known.Max(m => m.Version);
        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > newestKnown)
        {
            throw new InvalidOperationException(
                $"{database} has schema version {newest.ToString(CultureInfo.InvariantCulture)}, newer than this build knows " +
                $"({newestKnown.ToString(CultureInfo.InvariantCulture)}): it was used by a newer GridQueue. Run that version (or newer), or restore a backup taken before the upgrade.");
        }
    }
}
