-- The event row itself; run inside the gq_event_append subtransaction (event_append.sql, EventVisibility.cs).
WITH e AS (
    INSERT INTO gq_task_events (task_id, user_id, created_at, payload)
    VALUES (@task_id, @user_id, @created_at, @payload)
    RETURNING seq)
SELECT e.seq FROM e;
