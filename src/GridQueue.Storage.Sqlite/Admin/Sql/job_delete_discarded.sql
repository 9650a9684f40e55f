-- Purges dead letters: of the ids given (a JSON array), only those still discarded are deleted.
DELETE FROM gq_jobs
WHERE state = 'discarded' AND id IN (SELECT value FROM json_each(@ids))
RETURNING id;
