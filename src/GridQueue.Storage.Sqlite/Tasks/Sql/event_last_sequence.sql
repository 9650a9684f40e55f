SELECT COALESCE(MAX(seq), 0) FROM gq_task_events;
