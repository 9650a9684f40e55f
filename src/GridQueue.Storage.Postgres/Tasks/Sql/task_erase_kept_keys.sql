-- A task that ended before @cutoff needs no key any more: an upstream cancel that kept it has run or been given up.
UPDATE gq_tasks SET api_key = NULL, version = version + 1
WHERE api_key IS NOT NULL AND completed_at < @cutoff;
