-- Tasks of every user, newest first; each filter applies when given.
SELECT {columns} FROM gq_tasks
WHERE (@status IS NULL OR status = @status)
  AND (@user_id IS NULL OR user_id = @user_id)
  AND (@provider IS NULL OR provider = @provider)
  AND (@before IS NULL OR id < @before)
ORDER BY id DESC
LIMIT @limit;
