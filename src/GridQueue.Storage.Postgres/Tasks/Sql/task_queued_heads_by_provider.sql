-- The oldest queued task of each user's line on one provider, oldest first.
SELECT {columns} FROM gq_tasks t
WHERE t.id IN (SELECT MIN(id) FROM gq_tasks WHERE status = 'queued' AND provider = @provider GROUP BY user_id)
ORDER BY t.id
LIMIT @limit;
