-- Five statements, one round trip, in the caller's transaction (see EventVisibility.cs for why each is there):
-- 1.-2. the event writers' lock (event_writers_lock.sql, held until the transaction ends) and the transaction's own xid, assigned now
--    if it has none: both before the sequence number is drawn;
-- 3.-5. the row (event_insert.sql) inserted in a subtransaction of its own, so its xmin is an xid assigned after its sequence number.
-- Word of the event goes to the other nodes after the commit (CommitNotices.cs), not from here: a NOTIFY in this
-- transaction would make its commit wait for every other notifying commit on the server.
{event_writers_lock}
SELECT pg_current_xact_id();
SAVEPOINT gq_event_append;
{event_insert}
RELEASE SAVEPOINT gq_event_append;
