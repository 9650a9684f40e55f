-- Ends a batch of runs in one statement. Each applies only while its job is still running under the lease
-- (node, claims) that ran it. A requested cancel wins over every outcome but completion: work that was done is
-- not hidden. @batch is a JSON array of {id, node, claims, state, now, scheduled_at, errors, give_back}.
UPDATE gq_jobs
SET state = CASE WHEN gq_jobs.cancel_requested_at IS NOT NULL AND f.state <> 'completed' THEN 'cancelled' ELSE f.state END,
    attempt = CASE WHEN f.give_back = 1 AND gq_jobs.cancel_requested_at IS NULL THEN gq_jobs.attempt - 1 ELSE gq_jobs.attempt END,
    scheduled_at = COALESCE(f.scheduled_at, gq_jobs.scheduled_at),
    finalized_at = CASE
        WHEN gq_jobs.cancel_requested_at IS NOT NULL AND f.state <> 'completed' THEN f.now
        WHEN f.state IN ('completed', 'cancelled', 'discarded') THEN f.now
        ELSE NULL END,
    errors = COALESCE(f.errors, gq_jobs.errors),
    lease_owner = NULL,
    lease_expires_at = NULL
FROM (
    SELECT value ->> '$.id' AS id, value ->> '$.node' AS node, value ->> '$.claims' AS claims,
           value ->> '$.state' AS state, value ->> '$.now' AS now, value ->> '$.scheduled_at' AS scheduled_at,
           value ->> '$.errors' AS errors, value ->> '$.give_back' AS give_back
    FROM json_each(@batch)) AS f
WHERE gq_jobs.id = f.id
  AND gq_jobs.state = 'running'
  AND gq_jobs.lease_owner = f.node
  AND gq_jobs.claims = f.claims
RETURNING gq_jobs.id, gq_jobs.state;
