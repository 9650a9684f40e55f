using System.Reflection;
using GridQueue.Engine.Storage;

namespace GridQueue.Storage.Sqlite;

/// <summary>The SQL files embedded in this assembly, read once. "{columns}" stands for <see cref="JobColumns"/>.</summary>
internal static class SqlText
{
    /// <summary>The job columns in the order <see cref="JobRows.Read"/> reads them.</summary>
    public const string JobColumns = JobRows.Columns;

    public static readonly string Insert = Load("Sql.insert.sql");
    public static readonly string GetUnfinishedByUniqueKey = Load("Sql.get_unfinished_by_unique_key.sql");
    public static readonly string Claim = Load("Sql.claim.sql");
    public static readonly string ClaimUnlimited = Load("Sql.claim_unlimited.sql");
    public static readonly string FinalizeMany = Load("Sql.finalize_many.sql");
    public static readonly string GetStates = Load("Sql.get_states.sql");
    public static readonly string RenewLeases = Load("Sql.renew_leases.sql");
    public static readonly string LeaseStatus = Load("Sql.lease_status.sql");
    public static readonly string RescueExpired = Load("Sql.rescue_expired.sql");
    public static readonly string Cancel = Load("Sql.cancel.sql");
    public static readonly string Requeue = Load("Sql.requeue.sql");
    public static readonly string Get = Load("Sql.get.sql");
    public static readonly string List = Load("Sql.list.sql");
    public static readonly string DeleteFinished = Load("Sql.delete_finished.sql");
    public static readonly string NextScheduled = Load("Sql.next_scheduled.sql");

    /// <summary>The numbered migrations, in order: (version, name, SQL).</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = LoadMigrations();

    private static string Load(string name) => Read(name).Replace("{columns}", JobColumns, StringComparison.Ordinal);

    private static string Read(string name)
    {
        using var stream = typeof(SqlText).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded SQL '{name}' is missing from {typeof(SqlText).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<(int, string, string)> LoadMigrations()
    {
        const string prefix = "Migrations.";
        return [.. Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                var number = file.Split('_', 2)[0];
                return (int.Parse(number, System.Globalization.CultureInfo.InvariantCulture), file, Read(n));
            })
            .OrderBy(m => m.Item1)];
    }
}
