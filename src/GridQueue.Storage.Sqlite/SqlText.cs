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
    public static readonly string MakeDue = Load("Sql.make_due.sql");
    public static readonly string Get = Load("Sql.get.sql");
    public static readonly string List = Load("Sql.list.sql");
    public static readonly string DeleteFinished = Load("Sql.delete_finished.sql");
    public static readonly string NextScheduled = Load("Sql.next_scheduled.sql");

    /// <summary>The numbered migrations, in order: (version, name, SQL).</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = EmbeddedSql.Migrations(typeof(SqlText).Assembly);

    private static string Load(string name) => Read(name).Replace("{columns}", JobColumns, StringComparison.Ordinal);

    private static string Read(string name) => EmbeddedSql.Read(typeof(SqlText).Assembly, name);
}
