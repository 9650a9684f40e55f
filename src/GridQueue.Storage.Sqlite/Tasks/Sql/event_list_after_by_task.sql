-- Payloads are logged without images (kept once, in gq_task_images); the store puts the task's images back.
SELECT e.seq, e.task_id, e.user_id, e.created_at, e.payload, COALESCE(i.images, '[]')
FROM gq_task_events e LEFT JOIN gq_task_images i ON i.task_id = e.task_id
WHERE e.user_id = @user_id AND e.task_id = @task_id AND e.seq > @after ORDER BY e.seq LIMIT @limit;
