-- The task as clients see it: the images, kept apart, after the task columns.
SELECT {columns}, COALESCE(i.images, '[]')
FROM gq_tasks LEFT JOIN gq_task_images i ON i.task_id = gq_tasks.id
WHERE id = @id;
