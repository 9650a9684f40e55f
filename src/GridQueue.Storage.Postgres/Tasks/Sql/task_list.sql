-- Newest first, ids compared as bytes (COLLATE "C" columns); @before is the page cursor (the last id of the previous
-- page), NULL for the first page. The images, kept apart, come after the task columns.
SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks t LEFT JOIN gq_task_images i ON i.task_id = t.id
WHERE t.user_id = @user_id AND (@before::text IS NULL OR t.id < @before::text)
ORDER BY t.id DESC
LIMIT @limit;
