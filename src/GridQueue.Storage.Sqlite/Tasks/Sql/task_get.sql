-- Without the images (see task_get_with_images).
SELECT {columns} FROM gq_tasks WHERE id = @id;
