-- Tasks of every user, newest first; each filter applies when given.
SELECT {columns} FROM gq_tasks
WHERE (@status::text IS NULL OR status = @status::text)
  AND (@user_id::text IS NULL OR user_id = @user_id::text)
  AND (@provider::text IS NULL OR provider = @provider::text)
  AND (@before::text IS NULL OR id < @before::text)
ORDER BY id DESC
LIMIT @limit;
