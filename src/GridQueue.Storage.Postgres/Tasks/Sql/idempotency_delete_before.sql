DELETE FROM gq_task_idempotency WHERE created_at < @cutoff;
