-- Payloads are logged without images (kept once, in the task row); the store puts the task's images back.
SELECT e.seq, e.task_id, e.user_id, e.created_at, e.payload, COALESCE(t.images, '[]')
FROM gq_task_events e LEFT JOIN gq_tasks t ON t.id = e.task_id
WHERE e.seq > @after ORDER BY e.seq LIMIT @limit;
