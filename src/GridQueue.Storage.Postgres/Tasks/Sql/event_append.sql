-- Four statements, one round trip, in the caller's transaction (see EventVisibility.cs for why each is there):
-- 1. the event writers' lock (shared, held until the transaction ends) and the transaction's own xid, assigned now
--    if it has none: both before the sequence number is drawn;
-- 2.-4. the row (event_insert.sql) inserted in a subtransaction of its own, so its xmin is an xid assigned after its sequence number.
-- Word of the event goes to the other nodes after the commit (CommitNotices.cs), not from here: a NOTIFY in this
-- transaction would make its commit wait for every other notifying commit on the server.
SELECT pg_current_xact_id(), pg_advisory_xact_lock_shared({writers_lock_class}, 0);
SAVEPOINT gq_event_append;
{event_insert}
RELEASE SAVEPOINT gq_event_append;
