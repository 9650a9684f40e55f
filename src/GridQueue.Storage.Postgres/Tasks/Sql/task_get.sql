-- Without the images (see task_get_with_images). "{columns}" are the task columns of t.
SELECT {columns} FROM gq_tasks t WHERE t.id = @id;
