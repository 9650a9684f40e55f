-- The oldest queued task of each of one user's lines (one line per provider), oldest first.
SELECT {columns} FROM gq_tasks t
WHERE t.id IN (SELECT MIN(id) FROM gq_tasks WHERE status = 'queued' AND user_id = @user_id GROUP BY provider)
ORDER BY t.id
LIMIT @limit;
