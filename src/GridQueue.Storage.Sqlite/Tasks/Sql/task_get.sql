SELECT {columns} FROM gq_tasks WHERE id = @id;
