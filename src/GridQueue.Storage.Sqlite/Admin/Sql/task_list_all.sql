-- Tasks of every user, newest first, with their images (clients see them); each filter applies when given.
SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks LEFT JOIN gq_task_images i ON i.task_id = gq_tasks.id
WHERE (@status IS NULL OR gq_tasks.status = @status)
  AND (@user_id IS NULL OR gq_tasks.user_id = @user_id)
  AND (@provider IS NULL OR gq_tasks.provider = @provider)
  AND (@before IS NULL OR gq_tasks.id < @before)
ORDER BY gq_tasks.id DESC
LIMIT @limit;
