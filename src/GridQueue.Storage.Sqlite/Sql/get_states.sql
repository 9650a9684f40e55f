-- The current state of each job in @ids (a JSON array); deleted jobs are absent.
SELECT id, state FROM gq_jobs WHERE id IN (SELECT value FROM json_each(@ids));
