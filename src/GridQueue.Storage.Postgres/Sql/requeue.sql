-- A dead letter (discarded) or cancelled job goes back to available with a fresh set of attempts.
-- Its error history stays, so the earlier failures remain inspectable.
UPDATE gq_jobs
SET state = 'available',
    attempt = 0,
    scheduled_at = @now,
    finalized_at = NULL,
    cancel_requested_at = NULL
WHERE id = @id AND state IN ('discarded', 'cancelled');
