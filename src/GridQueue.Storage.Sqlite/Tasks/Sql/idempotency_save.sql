INSERT OR REPLACE INTO gq_task_idempotency (user_id, key, task_id, created_at) VALUES (@user_id, @key, @task_id, @created_at);
