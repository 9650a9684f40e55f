SELECT COUNT(*)::int FROM gq_tasks WHERE provider = @provider AND status = 'running';
