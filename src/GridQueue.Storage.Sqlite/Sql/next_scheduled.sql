SELECT scheduled_at FROM gq_jobs
WHERE state IN ('available', 'scheduled', 'retryable')
  AND queue IN (SELECT value FROM json_each(@queues))
ORDER BY scheduled_at
LIMIT 1;
