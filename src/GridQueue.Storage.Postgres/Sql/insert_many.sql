-- Many jobs without unique keys in one statement: identities are drawn in row order, so ids follow the input.
INSERT INTO gq_jobs (kind, queue, args, priority, state, max_attempts, scheduled_at, created_at, fairness_key)
SELECT kind, queue, args, priority, state, max_attempts, scheduled_at, created_at, fairness_key
FROM unnest(@kinds::text[], @queues::text[], @args::text[], @priorities::int[], @states::text[], @max_attempts::int[],
            @scheduled_ats::bigint[], @created_ats::bigint[], @fairness_keys::text[])
     WITH ORDINALITY AS r(kind, queue, args, priority, state, max_attempts, scheduled_at, created_at, fairness_key, ord)
ORDER BY ord
RETURNING {columns};
