SELECT cancel_requested_at IS NOT NULL FROM gq_jobs
WHERE id = @id AND state = 'running' AND lease_owner = @node AND attempt = @attempt;
