SELECT task_id FROM gq_task_idempotency WHERE user_id = @user_id AND key = @key AND created_at >= @not_before;
