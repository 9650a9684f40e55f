-- Waiting lines and the sweeper. A queued task over a limit has no job (job_id NULL) and waits in its (user,
-- provider) line, oldest id first; the change that frees a slot starts the head of the line.
CREATE INDEX gq_tasks_queued ON gq_tasks (user_id, provider, id) WHERE status = 'queued';
CREATE INDEX gq_tasks_queued_provider ON gq_tasks (provider, id) WHERE status = 'queued';

-- Unfinished tasks, for the sweeper (deadline passed, driving job finished).
CREATE INDEX gq_tasks_unfinished ON gq_tasks (status, id) WHERE status IN ('queued', 'running');
