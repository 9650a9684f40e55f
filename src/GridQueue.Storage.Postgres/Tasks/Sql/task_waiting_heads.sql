-- Heads of every (user, provider) line that wait without a job, oldest first.
SELECT {columns} FROM gq_tasks t
WHERE t.id IN (SELECT MIN(id) FROM gq_tasks WHERE status = 'queued' GROUP BY user_id, provider)
  AND t.job_id IS NULL
ORDER BY t.id
LIMIT @limit;
