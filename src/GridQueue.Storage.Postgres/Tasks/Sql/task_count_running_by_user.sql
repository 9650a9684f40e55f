SELECT COUNT(*)::int FROM gq_tasks WHERE user_id = @user_id AND status = 'running';
