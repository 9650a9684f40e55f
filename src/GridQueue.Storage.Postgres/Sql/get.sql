SELECT {columns} FROM gq_jobs WHERE id = @id;
