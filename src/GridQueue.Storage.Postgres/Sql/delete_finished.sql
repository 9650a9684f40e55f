-- The DELETE finds the rows by primary key, for the reason given in claim_unlimited.sql.
DELETE FROM gq_jobs
WHERE id = ANY(ARRAY(
    SELECT id FROM gq_jobs
    WHERE finalized_at IS NOT NULL
      AND ((state IN ('completed', 'cancelled') AND finalized_at < @finished_before)
        OR (state = 'discarded' AND finalized_at < @discarded_before))
    LIMIT @limit
    FOR UPDATE SKIP LOCKED));
