-- Users' keys left on ended tasks (kept for an upstream cancel whose job was given up): the sweeper erases them.
CREATE INDEX gq_tasks_kept_keys ON gq_tasks (completed_at) WHERE api_key IS NOT NULL;
