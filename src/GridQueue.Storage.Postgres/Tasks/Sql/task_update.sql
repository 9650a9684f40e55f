-- Compare-and-set: lands only if nobody changed the row since the caller read it. Of concurrent updates from one
-- version, the first takes the row lock; the others wait for its transaction and, in READ COMMITTED, re-check the
-- WHERE clause on the row it committed (version moved on: no row), or on the old row if it rolled back.
UPDATE gq_tasks
SET status = @status, progress = @progress, video_url = @video_url, error_message = @error_message, attempt = @attempt,
    upstream_task_id = @upstream_task_id, submit_state = @submit_state, started_at = @started_at, api_key = @api_key,
    uses_own_api_key = @uses_own_api_key, job_id = @job_id, version = @version, updated_at = @updated_at,
    completed_at = @completed_at
WHERE id = @id AND version = @expected_version;
