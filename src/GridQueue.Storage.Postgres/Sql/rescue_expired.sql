-- Running jobs whose lease expired: their node died or stalled. The attempt that was running stays counted.
-- SKIP LOCKED: two nodes' rescuers never wait on each other, and a job being finalized right now is left alone
-- (the outer WHERE re-checks the row, in case its finalization committed first).
-- The UPDATE finds the rows by primary key, as the claim does (claim_unlimited.sql).
WITH expired AS (
    SELECT id FROM gq_jobs
    WHERE state = 'running' AND lease_expires_at < @now
    ORDER BY lease_expires_at
    LIMIT @limit
    FOR UPDATE SKIP LOCKED
)
UPDATE gq_jobs
SET state = CASE
        WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
        WHEN attempt >= max_attempts THEN 'discarded'
        ELSE 'retryable' END,
    scheduled_at = @now,
    finalized_at = CASE WHEN cancel_requested_at IS NOT NULL OR attempt >= max_attempts THEN @now ELSE NULL END,
    errors = (CASE WHEN jsonb_array_length(errors) >= @max_errors THEN errors - 0 ELSE errors END)
        || jsonb_build_array(jsonb_build_object(
            'attempt', attempt,
            'at', to_char(to_timestamp(@now / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'message', 'lease expired on node ' || COALESCE(lease_owner, '?') || ': the node stopped or stalled while the job ran')),
    lease_owner = NULL,
    lease_expires_at = NULL
WHERE gq_jobs.id = ANY(ARRAY(SELECT id FROM expired)) AND gq_jobs.state = 'running' AND gq_jobs.lease_expires_at < @now
RETURNING {columns};
