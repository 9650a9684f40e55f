-- task_update.sql and event_append.sql in one round trip: the writing transaction stays open one round trip less,
-- and other nodes' readers of the event log wait for writing transactions that were open (EventVisibility.cs).
-- 0. the event writers' lock (shared, until the transaction ends; EventVisibility.cs), before a number is drawn;
-- 1. the compare-and-set, which records in a transaction-local setting whether it landed (count is 0 or 1);
-- 2.-4. event_append.sql's insert in its own subtransaction, made only when the update landed. The update gave the
-- transaction its xid (event_append.sql asks for one with pg_current_xact_id()) before the sequence number is
-- drawn, and the event row's xmin is the subtransaction's, assigned after it: the order EventVisibility.cs needs.
{event_writers_lock}
WITH u AS ({task_update} RETURNING 1)
SELECT set_config('gq.task_updated', count(*)::text, true) AS updated FROM u;
SAVEPOINT gq_event_append;
WITH e AS (
    INSERT INTO gq_task_events (task_id, user_id, created_at, payload)
    SELECT @id, @user_id, @event_created_at, @payload
    WHERE current_setting('gq.task_updated') = '1'
    RETURNING seq)
SELECT e.seq FROM e;
RELEASE SAVEPOINT gq_event_append;
