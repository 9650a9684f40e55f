-- A waiting job whose time has not come becomes due now (an outside signal says its work is ready, e.g. an
-- upstream callback). Only the time moves: a job that is running, finished or already due is left as it is.
-- The change is announced like an insert of an available job, after the commit (CommitNotices), so whichever node
-- has a free worker claims it without waiting for its own timer.
UPDATE gq_jobs
SET scheduled_at = @now
WHERE id = @id AND state IN ('scheduled', 'retryable') AND scheduled_at > @now;
