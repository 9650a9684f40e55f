-- The task as clients see it: the images, kept apart, after the task columns.
SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks t LEFT JOIN gq_task_images i ON i.task_id = t.id
WHERE t.id = @id;
