SELECT seq, task_id, user_id, created_at, payload FROM gq_task_events WHERE user_id = @user_id AND task_id = @task_id AND seq > @after ORDER BY seq LIMIT @limit;
