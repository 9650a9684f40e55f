-- The claim when no queue or fairness-key limit applies: the due waiting jobs of the requested queues, in order of
-- priority, scheduled time, id, at most @limit. SKIP LOCKED lets concurrent claimers take different jobs instead of
-- queueing behind each other's row locks; a row another claimer took after our snapshot is re-checked and dropped.
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
FROM chosen
WHERE gq_jobs.id = chosen.id
RETURNING {columns};
