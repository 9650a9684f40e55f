using Npgsql;

namespace GridQueue.Storage.Postgres.Tasks;

/// <summary>
/// When an event may be listed: only once every lower sequence number is committed or will never exist
/// (<see cref="GridQueue.Tasks.Storage.ITaskStore.EventListAfterAsync"/>), so a reader that resumes after the last
/// number it got never skips one that commits later.
/// <para>
/// The problem: a number is drawn when the row is inserted, not when its transaction commits. While a transaction
/// holding 5 is open, another can commit 6; a reader of <c>seq &gt; @after</c> gets 6, resumes after it, and never
/// sees 5. Nor is "the writer's xid is below the snapshot's xmin" enough on its own: a transaction can get its xid
/// before another one and still draw its number after it (A has xid 100, B has 101; B draws 5, A draws 6 and commits;
/// a reader's xmin is then 101, A's 100 is below it, and 6 is listed while 5 is still open).
/// </para>
/// <para>
/// The rule, in three parts:
/// <list type="number">
/// <item>Each append (event_append.sql) first makes sure its transaction has an xid (<c>pg_current_xact_id()</c>),
/// then inserts the row in a subtransaction of its own, so the row's xmin is a fresh xid assigned after its number was
/// drawn. Xids and numbers are both handed out in time order (the identity has CACHE 1). So for events a &lt; b, the
/// writer of a had its xid before a was drawn, before b was drawn, before b's row got its xmin: xid(writer of a) &lt;
/// xmin(row b).</item>
/// <item>A reader first reads a bound (event_visible_bound.sql): the oldest of its snapshot's xmax and the xids of the
/// client transactions open on this database at that moment (pg_stat_activity, backend type "client backend"). A
/// client transaction on this database whose xid is older than the bound had ended by then: its xid was assigned
/// before the snapshot, and it was not open. Events are written only by clients; the server's own workers are left
/// out because autovacuum's ANALYZE takes an xid and can run for seconds on a large table, and would hold every
/// stream back that long.</item>
/// <item>Then, in a later statement (a later snapshot), the reader takes H, the highest visible event whose row xmin
/// is older than the bound, and lists the events after its cursor up to H. For every lower number a, the writer's
/// xid is older than row H's xmin (part 1), so older than the bound, so that writer (a client) had ended before this
/// snapshot (part 2): event a is visible if it committed and never exists if it rolled back.</item>
/// </list>
/// <see cref="GridQueue.Tasks.Storage.ITaskStore.EventLastSequenceAsync"/> returns H, so it is a safe resume point too.
/// </para>
/// <para>
/// The cost: an event is listed only once every client transaction with an xid on this database that was open when
/// its row was written has ended (any writing transaction, job claims included, not only event writers; these are
/// short), so a long-open writing transaction holds the log back until it ends. Other databases on the server do not (a
/// snapshot's xmin would wait for them too). Each read is two statements, one of them a look at the server's backend
/// slots; each append is one round trip with a subtransaction. Prepared (two-phase) transactions are not in
/// pg_stat_activity; GridQueue does not use them.
/// </para>
/// </summary>
internal static class EventVisibility
{
    /// <summary>The bound of part 2, as the text of a 32-bit xid (the SQL casts it back with <c>@bound::xid</c>).</summary>
    public static async Task<string> ReadBoundAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(TaskSqlText.EventVisibleBound, connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
