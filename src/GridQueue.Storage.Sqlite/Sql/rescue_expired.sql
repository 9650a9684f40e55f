-- Running jobs whose lease expired: their node died or stalled. The attempt that was running stays counted.
UPDATE gq_jobs
SET state = CASE
        WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
        WHEN attempt >= max_attempts THEN 'discarded'
        ELSE 'retryable' END,
    scheduled_at = @now,
    finalized_at = CASE WHEN cancel_requested_at IS NOT NULL OR attempt >= max_attempts THEN @now ELSE NULL END,
    errors = json_insert(
        CASE WHEN json_array_length(errors) >= @max_errors THEN json_remove(errors, '$[0]') ELSE errors END,
        '$[#]',
        json_object(
            'attempt', attempt,
            'at', strftime('%Y-%m-%dT%H:%M:%fZ', @now / 1000.0, 'unixepoch'),
            'message', 'lease expired on node ' || COALESCE(lease_owner, '?') || ': the node stopped or stalled while the job ran')),
    lease_owner = NULL,
    lease_expires_at = NULL
WHERE id IN (
    SELECT id FROM gq_jobs
    WHERE state = 'running' AND lease_expires_at < @now
    ORDER BY lease_expires_at
    LIMIT @limit)
RETURNING {columns};
