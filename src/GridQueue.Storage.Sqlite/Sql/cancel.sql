-- A waiting job is cancelled at once; a running one gets its cancel requested (its node signals the handler).
UPDATE gq_jobs
SET state = 'cancelled', finalized_at = @now
WHERE id = @id AND state IN ('available', 'scheduled', 'retryable');

UPDATE gq_jobs
SET cancel_requested_at = COALESCE(cancel_requested_at, @now)
WHERE id = @id AND state = 'running';

SELECT {columns} FROM gq_jobs WHERE id = @id;
