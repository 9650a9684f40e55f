-- The oldest queued task of each user's line on one provider, oldest first.
SELECT {columns} FROM gq_tasks
WHERE id IN (SELECT MIN(id) FROM gq_tasks WHERE status = 'queued' AND provider = @provider GROUP BY user_id)
ORDER BY id
LIMIT @limit;
