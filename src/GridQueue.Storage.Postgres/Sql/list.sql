SELECT {columns} FROM gq_jobs
WHERE id > @after_id
  AND (@state::text IS NULL OR state = @state::text)
  AND (@kind::text IS NULL OR kind = @kind::text)
ORDER BY id
LIMIT @limit;
