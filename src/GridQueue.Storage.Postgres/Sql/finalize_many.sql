-- Ends a batch of runs in one statement. Each applies only while its job is still running under the lease
-- (node, claims) that ran it. A requested cancel wins over every outcome but completion: work that was done is
-- not hidden. The batch arrives as parallel arrays; the answer has one row per job asked about: the state written
-- (applied = true) or, when not applied, the job's current state (deleted jobs are absent).
WITH f AS (
    SELECT * FROM unnest(@ids::bigint[], @nodes::text[], @claims::int[], @states::text[], @nows::bigint[],
                         @scheduled_ats::bigint[], @errors::text[], @give_backs::boolean[])
        AS f(id, node, claims, state, now, scheduled_at, errors, give_back)
),
-- Row locks in id order, taken before the update: the update's own join order is the planner's, and two batches
-- (or a batch and renew_leases.sql) locking shared rows in different orders deadlock.
locked AS MATERIALIZED (
    SELECT gq_jobs.id FROM gq_jobs WHERE gq_jobs.id IN (SELECT id FROM f) ORDER BY gq_jobs.id FOR UPDATE
),
written AS (
    UPDATE gq_jobs
    SET state = CASE WHEN gq_jobs.cancel_requested_at IS NOT NULL AND f.state <> 'completed' THEN 'cancelled' ELSE f.state END,
        attempt = CASE WHEN f.give_back AND gq_jobs.cancel_requested_at IS NULL THEN gq_jobs.attempt - 1 ELSE gq_jobs.attempt END,
        scheduled_at = COALESCE(f.scheduled_at, gq_jobs.scheduled_at),
        finalized_at = CASE
            WHEN gq_jobs.cancel_requested_at IS NOT NULL AND f.state <> 'completed' THEN f.now
            WHEN f.state IN ('completed', 'cancelled', 'discarded') THEN f.now
            ELSE NULL END,
        errors = COALESCE(f.errors::jsonb, gq_jobs.errors),
        lease_owner = NULL,
        lease_expires_at = NULL
    FROM f JOIN locked ON locked.id = f.id
    WHERE gq_jobs.id = f.id
      AND gq_jobs.state = 'running'
      AND gq_jobs.lease_owner = f.node
      AND gq_jobs.claims = f.claims
    RETURNING gq_jobs.id, gq_jobs.state
)
SELECT id, state, true FROM written
UNION ALL
SELECT j.id, j.state, false FROM gq_jobs j
WHERE j.id IN (SELECT id FROM f) AND j.id NOT IN (SELECT id FROM written);
