SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks t LEFT JOIN gq_task_images i ON i.task_id = t.id
WHERE t.user_id = @user_id AND t.status = @status AND (@before::text IS NULL OR t.id < @before::text)
ORDER BY t.id DESC
LIMIT @limit;
