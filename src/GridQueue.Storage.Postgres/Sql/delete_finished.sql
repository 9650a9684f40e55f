DELETE FROM gq_jobs
WHERE id IN (
    SELECT id FROM gq_jobs
    WHERE finalized_at IS NOT NULL
      AND ((state IN ('completed', 'cancelled') AND finalized_at < @finished_before)
        OR (state = 'discarded' AND finalized_at < @discarded_before))
    LIMIT @limit
    FOR UPDATE SKIP LOCKED);
