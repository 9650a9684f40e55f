-- Ends one run, only while the job is still running under the lease (node, attempt) that ran it.
-- A requested cancel wins over every outcome but completion: the work that was done is not hidden.
UPDATE gq_jobs
SET state = CASE WHEN cancel_requested_at IS NOT NULL AND @state <> 'completed' THEN 'cancelled' ELSE @state END,
    attempt = CASE WHEN @give_back_attempt = 1 AND cancel_requested_at IS NULL THEN attempt - 1 ELSE attempt END,
    scheduled_at = COALESCE(@scheduled_at, scheduled_at),
    finalized_at = CASE
        WHEN cancel_requested_at IS NOT NULL AND @state <> 'completed' THEN @now
        WHEN @state IN ('completed', 'cancelled', 'discarded') THEN @now
        ELSE NULL END,
    errors = COALESCE(@errors, errors),
    lease_owner = NULL,
    lease_expires_at = NULL
WHERE id = @id AND state = 'running' AND lease_owner = @node AND attempt = @attempt
RETURNING state;
