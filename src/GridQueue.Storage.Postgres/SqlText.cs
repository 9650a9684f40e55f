using GridQueue.Engine.Storage;

namespace GridQueue.Storage.Postgres;

/// <summary>The SQL files embedded in this assembly, read once. "{columns}" stands for <see cref="JobRows.Columns"/>, each qualified with gq_jobs.</summary>
internal static class SqlText
{
    // First: the statements below are read with it during static initialization, in textual order.
    /// <summary>The job columns qualified with the table name: UPDATE ... FROM statements join tables that have an id too.</summary>
    private static readonly string QualifiedColumns = string.Join(", ", JobRows.Columns.Split(", ").Select(c => "gq_jobs." + c));

    public static readonly string Insert = Load("Sql.insert.sql");
    public static readonly string InsertMany = Load("Sql.insert_many.sql");
    public static readonly string GetUnfinishedByUniqueKey = Load("Sql.get_unfinished_by_unique_key.sql");
    public static readonly string Claim = Load("Sql.claim.sql");
    public static readonly string ClaimUnlimited = Load("Sql.claim_unlimited.sql");
    public static readonly string ClaimLock = Load("Sql.claim_lock.sql");
    public static readonly string FinalizeMany = Load("Sql.finalize_many.sql");
    public static readonly string RenewLeases = Load("Sql.renew_leases.sql");
    public static readonly string LeaseStatus = Load("Sql.lease_status.sql");
    public static readonly string RescueExpired = Load("Sql.rescue_expired.sql");
    public static readonly string CancelWaiting = Load("Sql.cancel_waiting.sql");
    public static readonly string CancelRunning = Load("Sql.cancel_running.sql");
    public static readonly string Requeue = Load("Sql.requeue.sql");
    public static readonly string MakeDue = Load("Sql.make_due.sql");
    public static readonly string Get = Load("Sql.get.sql");
    public static readonly string List = Load("Sql.list.sql");
    public static readonly string DeleteFinished = Load("Sql.delete_finished.sql");
    public static readonly string NextScheduled = Load("Sql.next_scheduled.sql");
    public static readonly string BookkeepingCommit = Load("Sql.bookkeeping_commit.sql");

    /// <summary>The numbered migrations, in order: (version, name, SQL).</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = EmbeddedSql.Migrations(typeof(SqlText).Assembly);

    /// <summary>
    /// Reads a statement without its whole-line comments: they document the file, and Npgsql, which rewrites @name
    /// parameters and splits statements at semicolons, then never has to read the prose.
    /// </summary>
    private static string Load(string name) => string.Join('\n', Read(name)
            .Split('\n')
            .Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)))
        .Replace("{columns}", QualifiedColumns, StringComparison.Ordinal);

    private static string Read(string name) => EmbeddedSql.Read(typeof(SqlText).Assembly, name);
}
