SELECT EXISTS (SELECT 1 FROM gq_tasks WHERE api_key IS NOT NULL AND completed_at < @cutoff);
