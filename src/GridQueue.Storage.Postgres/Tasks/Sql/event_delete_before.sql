-- In batches, oldest first. The identity never hands out a number twice, so ids keep increasing.
DELETE FROM gq_task_events
WHERE seq IN (SELECT seq FROM gq_task_events WHERE created_at < @cutoff ORDER BY created_at LIMIT @limit);
