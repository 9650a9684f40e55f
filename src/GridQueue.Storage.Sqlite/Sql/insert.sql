-- One job. A job whose unique key an unfinished job holds is skipped (no row returned).
INSERT INTO gq_jobs (kind, queue, args, priority, state, attempt, max_attempts, scheduled_at, created_at, unique_key, fairness_key)
VALUES (@kind, @queue, @args, @priority, @state, 0, @max_attempts, @scheduled_at, @created_at, @unique_key, @fairness_key)
ON CONFLICT DO NOTHING
RETURNING {columns};
