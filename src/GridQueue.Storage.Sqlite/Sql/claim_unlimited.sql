-- The claim when no queue or fairness-key limit applies: the due waiting jobs of the requested queues, in order of
-- priority, scheduled time, id, at most @limit. Same result as claim.sql without limits, without its counting.
UPDATE gq_jobs
SET state = 'running',
    attempt = attempt + 1,
    claims = claims + 1,
    attempted_at = @now,
    lease_owner = @node,
    lease_expires_at = @lease_expires_at
WHERE id IN (
    SELECT id FROM gq_jobs
    WHERE state IN ('available', 'scheduled', 'retryable')
      AND scheduled_at <= @now
      AND queue IN (SELECT value ->> '$.queue' FROM json_each(@queues))
    ORDER BY priority, scheduled_at, id
    LIMIT @limit)
RETURNING {columns};
