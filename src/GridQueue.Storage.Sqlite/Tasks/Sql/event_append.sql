INSERT INTO gq_task_events (task_id, user_id, created_at, payload) VALUES (@task_id, @user_id, @created_at, @payload) RETURNING seq;
