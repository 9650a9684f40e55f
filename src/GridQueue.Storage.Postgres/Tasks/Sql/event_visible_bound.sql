-- The readers' bound (see EventVisibility.cs): the oldest of this snapshot's xmax and the xids of the transactions
-- that hold the event writers' lock on this database now. An event writer takes that lock (shared, until it ends)
-- before it draws a sequence number; transactions that write no event (job claims, job inserts, a task write that has
-- not reached its event yet) never take it, so they do not hold the log back.
-- The bound goes into a transaction-local setting, gq.event_bound, read by the listing statement sent after this one
-- in the same batch: one round trip, yet two statements and so two snapshots (READ COMMITTED takes one for each),
-- the listing's the later one, as EventVisibility.cs requires.
SELECT set_config('gq.event_bound', (
    SELECT b::text FROM (
        SELECT pg_snapshot_xmax(pg_current_snapshot())::xid AS b
        UNION ALL
        SELECT a.backend_xid
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory'
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = {writers_lock_class} AND l.objid = 0 AND l.objsubid = 2
          AND a.backend_xid IS NOT NULL) bounds
    ORDER BY age(b) DESC
    LIMIT 1), true);
