SELECT COUNT(*) FROM gq_tasks WHERE provider = @provider AND status = 'running';
