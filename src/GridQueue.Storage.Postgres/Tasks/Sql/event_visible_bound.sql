-- The readers' bound (see EventVisibility.cs): the oldest of this snapshot's xmax and the xids of the client
-- transactions open on this database now. Every xid older than it was assigned before now, to a transaction that has
-- ended or is not a client's (autovacuum's ANALYZE takes an xid too, and writes no events).
SELECT b::text FROM (
    SELECT pg_snapshot_xmax(pg_current_snapshot())::xid AS b
    UNION ALL
    SELECT backend_xid FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend' AND backend_xid IS NOT NULL) bounds
ORDER BY age(b) DESC
LIMIT 1;
