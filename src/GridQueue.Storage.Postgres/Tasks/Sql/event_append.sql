-- Four statements, one round trip, in the caller's transaction (see EventVisibility.cs for why each is there):
-- 1. the transaction's own xid, assigned now if it has none: before the sequence number is drawn;
-- 2.-4. the row inserted in a subtransaction of its own, so its xmin is an xid assigned after its sequence number.
-- pg_notify is delivered at commit (never on rollback) to every listening node; the payload is the sequence alone.
SELECT pg_current_xact_id();
SAVEPOINT gq_event_append;
WITH e AS (
    INSERT INTO gq_task_events (task_id, user_id, created_at, payload)
    VALUES (@task_id, @user_id, @created_at, @payload)
    RETURNING seq)
SELECT e.seq FROM e, pg_notify('gq_task_events', e.seq::text);
RELEASE SAVEPOINT gq_event_append;
