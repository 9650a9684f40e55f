-- One job. A job whose unique key an unfinished job holds is skipped (no row returned).
INSERT INTO gq_jobs (kind, queue, args, priority, state, max_attempts, scheduled_at, created_at, unique_key, fairness_key)
VALUES (@kind, @queue, @args, @priority, @state, @max_attempts, @scheduled_at, @created_at, @unique_key, @fairness_key)
ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable')
DO NOTHING
RETURNING {columns};
