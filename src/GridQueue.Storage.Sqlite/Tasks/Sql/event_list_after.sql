SELECT seq, task_id, user_id, created_at, payload FROM gq_task_events WHERE seq > @after ORDER BY seq LIMIT @limit;
