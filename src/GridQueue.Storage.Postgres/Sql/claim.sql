-- Claims due waiting jobs in one statement, ordered by priority, scheduled time, id, within the limits:
--   * a queue's running jobs (all nodes) stay within its max_running (@max_running, parallel to @queues);
--   * running jobs sharing a fairness key (all nodes) stay within @key_limit.
-- Runs after claim_lock.sql in the same transaction, so no other limited claim commits between this statement's
-- snapshot and its commit: the counts below are exact. Keys and queues already at their limit are excluded before
-- the LIMIT @window scan, so one key's backlog can delay another key's job by at most one claim, never starve it.
-- The UPDATE finds the chosen rows by primary key, for the reason given in claim_unlimited.sql.
WITH
queue_limit AS (
    SELECT q.queue, q.max_running FROM unnest(@queues::text[], @max_running::int[]) AS q(queue, max_running)
),
running_per_queue AS (
    SELECT queue, COUNT(*) AS n FROM gq_jobs
    WHERE state = 'running' AND queue = ANY(@queues::text[])
    GROUP BY queue
),
running_per_key AS (
    SELECT fairness_key, COUNT(*) AS n FROM gq_jobs
    WHERE state = 'running' AND fairness_key IS NOT NULL AND @key_limit::int IS NOT NULL
    GROUP BY fairness_key
),
open_queue AS (
    SELECT ql.queue, ql.max_running, COALESCE(rq.n, 0) AS running
    FROM queue_limit ql LEFT JOIN running_per_queue rq ON rq.queue = ql.queue
    WHERE ql.max_running IS NULL OR COALESCE(rq.n, 0) < ql.max_running
),
candidate AS (
    SELECT j.id, j.queue, j.fairness_key, j.priority, j.scheduled_at
    FROM gq_jobs j
    WHERE j.state IN ('available', 'scheduled', 'retryable')
      AND j.scheduled_at <= @now
      AND j.queue IN (SELECT queue FROM open_queue)
      AND (j.fairness_key IS NULL OR @key_limit::int IS NULL
           OR j.fairness_key NOT IN (SELECT fairness_key FROM running_per_key WHERE n >= @key_limit::int))
    ORDER BY j.priority, j.scheduled_at, j.id
    LIMIT @window
    FOR UPDATE OF j SKIP LOCKED
),
ranked AS (
    SELECT c.id, c.queue, c.fairness_key, c.priority, c.scheduled_at,
           ROW_NUMBER() OVER (PARTITION BY c.queue ORDER BY c.priority, c.scheduled_at, c.id) AS queue_rank,
           ROW_NUMBER() OVER (PARTITION BY c.fairness_key ORDER BY c.priority, c.scheduled_at, c.id) AS key_rank
    FROM candidate c
),
chosen AS (
    SELECT r.id
    FROM ranked r
    JOIN open_queue oq ON oq.queue = r.queue
    LEFT JOIN running_per_key rk ON rk.fairness_key = r.fairness_key
    WHERE (oq.max_running IS NULL OR oq.running + r.queue_rank <= oq.max_running)
      AND (r.fairness_key IS NULL OR @key_limit::int IS NULL OR COALESCE(rk.n, 0) + r.key_rank <= @key_limit::int)
    ORDER BY r.priority, r.scheduled_at, r.id
    LIMIT @limit
)
UPDATE gq_jobs
SET state = 'running',
    attempt = attempt + 1,
    claims = claims + 1,
    attempted_at = @now,
    lease_owner = @node,
    lease_expires_at = @lease_expires_at
WHERE gq_jobs.id = ANY(ARRAY(SELECT id FROM chosen))
RETURNING {columns};
