SELECT state FROM gq_jobs WHERE id = @id;
