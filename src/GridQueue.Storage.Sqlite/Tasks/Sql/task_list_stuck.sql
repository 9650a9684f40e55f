-- Unfinished tasks that cannot end by themselves: the attempt's deadline passed, or the job driving the task has
-- finished or is gone. Tasks waiting in line have no job and are not listed (unless their deadline passed, which a
-- queued task has not: it has not started).
SELECT {columns}, job_state, job_errors FROM (
    SELECT t.*, j.state AS job_state, j.errors AS job_errors
    FROM gq_tasks t LEFT JOIN gq_jobs j ON j.id = t.job_id
    WHERE t.status IN ('queued', 'running'))
WHERE (status = 'running' AND started_at < @started_before)
   OR (job_id IS NOT NULL AND (job_state IS NULL OR job_state IN ('completed', 'cancelled', 'discarded')))
ORDER BY id
LIMIT @limit;
