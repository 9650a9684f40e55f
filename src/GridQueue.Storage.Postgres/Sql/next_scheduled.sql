SELECT MIN(scheduled_at) FROM gq_jobs
WHERE state IN ('available', 'scheduled', 'retryable')
  AND queue = ANY(@queues::text[]);
