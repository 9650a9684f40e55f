-- The claim when no queue or fairness-key limit applies: the due waiting jobs of the requested queues, in order of
-- priority, scheduled time, id, at most @limit. SKIP LOCKED lets concurrent claimers take different jobs instead of
-- queueing behind each other's row locks; a row another claimer took after our snapshot is re-checked and dropped.
-- The UPDATE finds the chosen rows by primary key (= ANY of an array): joined to the CTE instead, the planner may
-- hash the whole table, which keeps every finished job, at every claim.
WITH chosen AS (
    SELECT id FROM gq_jobs
    WHERE state IN ('available', 'scheduled', 'retryable')
      AND scheduled_at <= @now
      AND queue = ANY(@queues::text[])
    ORDER BY priority, scheduled_at, id
    LIMIT @limit
    FOR UPDATE SKIP LOCKED
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
