-- A waiting job is cancelled at once.
UPDATE gq_jobs
SET state = 'cancelled', finalized_at = @now
WHERE id = @id AND state IN ('available', 'scheduled', 'retryable');
