SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks LEFT JOIN gq_task_images i ON i.task_id = gq_tasks.id
WHERE user_id = @user_id AND status = @status AND (@before IS NULL OR id < @before)
ORDER BY id DESC
LIMIT @limit;
