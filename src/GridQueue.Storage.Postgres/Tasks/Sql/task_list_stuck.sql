-- Unfinished tasks that cannot end by themselves: the attempt's deadline passed, or the job driving the task has
-- finished or is gone. Tasks waiting in line have no job and are not listed (unless their deadline passed, which a
-- queued task has not: it has not started).
SELECT {columns}, j.state, j.errors::text
FROM gq_tasks t LEFT JOIN gq_jobs j ON j.id = t.job_id
WHERE t.status IN ('queued', 'running')
  AND ((t.status = 'running' AND t.started_at < @started_before)
       OR (t.job_id IS NOT NULL AND (j.id IS NULL OR j.state IN ('completed', 'cancelled', 'discarded'))))
ORDER BY t.id
LIMIT @limit;
