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
/// <item>Each append (event_append.sql, and the merged writes that embed it) first takes the event writers' lock,
/// a transaction-level advisory lock (<see cref="WritersLockClass"/>, 0) in shared mode, held until the transaction
/// ends, and makes sure its transaction has an xid (<c>pg_current_xact_id()</c>); then it inserts the row in a
/// subtransaction of its own, so the row's xmin is a fresh xid assigned after its number was drawn. Xids and numbers
/// are both handed out in time order (the identity has CACHE 1). So for events a &lt; b, the writer of a had its xid
/// and the lock before a was drawn, before b was drawn, before b's row got its xmin: xid(writer of a) &lt; xmin(row
/// b).</item>
/// <item>A reader first reads a bound (event_visible_bound.sql): the oldest of its snapshot's xmax and the xids of
/// the transactions holding the event writers' lock on this database at that moment (pg_locks, with their xids from
/// pg_stat_activity). It keeps it in a transaction-local setting for the next statement, sent in the same round
/// trip (<see cref="ReadingBatch"/>).</item>
/// <item>Then, in a later statement (a later snapshot), the reader takes H, the highest visible event whose row xmin
/// is older than the bound, and lists the events after its cursor up to H. Row H's xmin is older than the bound, so
/// older than the snapshot's xmax: it was assigned before the bound's statement began, and so was H drawn, and every
/// a &lt; H before it. The writer of such an a held the lock from before a was drawn until it ended, and its xid is
/// older than row H's xmin (part 1), so older than the bound. Had it still been open when the bound looked, it would
/// have been seen holding the lock, and the bound would be at most its xid: a contradiction. So it had ended before
/// the bound's statement looked, before the listing's snapshot: event a is visible if it committed and never exists
/// if it rolled back. (Seen holding the lock with another xid or none means its backend had already moved on to a
/// later transaction: it had ended too.)</item>
/// </list>
/// <see cref="GridQueue.Tasks.Storage.ITaskStore.EventLastSequenceAsync"/> returns H, so it is a safe resume point too.
/// </para>
/// <para>
/// The cost: an event is listed only once every transaction that held the event writers' lock when its row was
/// written has ended, so an event writer that stays open holds the log back until it ends. Transactions that write no
/// event never take the lock (job claims and outcomes, job inserts, the part of a task write before its event) and
/// hold nothing back, however long they take; nor do other databases on the server (a snapshot's xmin would wait for
/// them too). Each read is two statements in one round trip, one of them a look at the server's lock table; each
/// append is one round trip with a subtransaction. Prepared (two-phase) transactions are not in pg_stat_activity;
/// GridQueue does not use them.
/// </para>
/// </summary>
internal static class EventVisibility
{
    /// <summary>
    /// The first key of the event writers' lock, <c>pg_advisory_xact_lock_shared(WritersLockClass, 0)</c>: "gqev" read
    /// as a number, in the two-int key space of the task store's advisory locks (the slots use "gqsu" and "gqsp").
    /// </summary>
    public const int WritersLockClass = 0x67716576;

    /// <summary>
    /// The reading batch: part 2's bound, kept in the transaction-local setting <c>gq.event_bound</c>, then
    /// <paramref name="listing"/> (part 3), which reads it with <c>current_setting</c>. One round trip, two statements:
    /// READ COMMITTED gives the listing a snapshot of its own, taken after the bound's. Read the listing's rows after
    /// <see cref="SkipBoundAsync"/>.
    /// </summary>
    public static NpgsqlBatch ReadingBatch(NpgsqlDataSource dataSource, NpgsqlBatchCommand listing)
    {
        var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(TaskSqlText.EventVisibleBound));
        batch.BatchCommands.Add(listing);
        return batch;
    }

    /// <summary>Moves <paramref name="reader"/> of a <see cref="ReadingBatch"/> past the bound's result to the listing's.</summary>
    public static async Task SkipBoundAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("An event log read returned no result after its bound.");
        }
    }
}
