SELECT {columns} FROM gq_jobs
WHERE unique_key = @unique_key AND state IN ('available', 'scheduled', 'running', 'retryable');
