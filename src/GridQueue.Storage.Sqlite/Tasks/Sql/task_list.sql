-- Newest first; @before is the page cursor (the last id of the previous page), '~' for the first page.
SELECT {columns} FROM gq_tasks
WHERE user_id = @user_id AND id < @before
ORDER BY id DESC
LIMIT @limit;
