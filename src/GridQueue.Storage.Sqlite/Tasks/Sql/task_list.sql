-- Newest first; @before is the page cursor (the last id of the previous page), NULL for the first page. The images,
-- kept apart, come after the task columns.
SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks LEFT JOIN gq_task_images i ON i.task_id = gq_tasks.id
WHERE user_id = @user_id AND (@before IS NULL OR id < @before)
ORDER BY id DESC
LIMIT @limit;
