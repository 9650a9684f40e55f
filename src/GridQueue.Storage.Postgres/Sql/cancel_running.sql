-- A running job gets its cancel requested (its node signals the handler); the job as it is now comes back.
UPDATE gq_jobs
SET cancel_requested_at = COALESCE(cancel_requested_at, @now)
WHERE id = @id AND state = 'running';
