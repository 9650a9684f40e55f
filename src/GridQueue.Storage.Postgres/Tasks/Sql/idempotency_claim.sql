-- Claims a key in one statement. No row yet: inserted. A row still in the window (created_at >= @not_before): left
-- as is, nothing returned, and the caller reads its holder. An older row: taken over. A row another transaction
-- inserted and has not committed: PostgreSQL waits for that transaction, then goes on as above with its row, or
-- inserts if it rolled back. So of concurrent claims exactly one gets a row back.
INSERT INTO gq_task_idempotency AS k (user_id, key, task_id, created_at)
VALUES (@user_id, @key, @task_id, @created_at)
ON CONFLICT (user_id, key) DO UPDATE SET task_id = EXCLUDED.task_id, created_at = EXCLUDED.created_at
    WHERE k.created_at < @not_before
RETURNING task_id;
