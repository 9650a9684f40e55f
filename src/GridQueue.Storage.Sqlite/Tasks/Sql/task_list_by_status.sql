SELECT {columns} FROM gq_tasks
WHERE user_id = @user_id AND status = @status AND id < @before
ORDER BY id DESC
LIMIT @limit;
