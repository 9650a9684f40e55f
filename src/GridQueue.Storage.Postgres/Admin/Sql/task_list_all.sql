-- Tasks of every user, newest first, with their images (clients see them); each filter applies when given.
SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks LEFT JOIN gq_task_images i ON i.task_id = gq_tasks.id
WHERE (@status::text IS NULL OR gq_tasks.status = @status::text)
  AND (@user_id::text IS NULL OR gq_tasks.user_id = @user_id::text)
  AND (@provider::text IS NULL OR gq_tasks.provider = @provider::text)
  AND (@before::text IS NULL OR gq_tasks.id < @before::text)
ORDER BY gq_tasks.id DESC
LIMIT @limit;
