-- Purges dead letters: of the ids given (a JSON array), only those still discarded are deleted.
DELETE FROM gq_jobs
WHERE state = 'discarded' AND id IN (SELECT value::bigint FROM jsonb_array_elements_text(@ids::jsonb))
RETURNING id;
