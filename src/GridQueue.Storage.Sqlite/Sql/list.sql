SELECT {columns} FROM gq_jobs
WHERE id > @after_id
  AND (@state IS NULL OR state = @state)
  AND (@kind IS NULL OR kind = @kind)
ORDER BY id
LIMIT @limit;
