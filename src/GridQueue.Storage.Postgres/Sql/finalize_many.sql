-- Ends a batch of runs in one statement. Each applies only while its job is still running under the lease
-- (node, claims) that ran it. A requested cancel wins over every outcome but completion: work that was done is
-- not hidden. The batch arrives as parallel arrays; the answer has one row per job asked about: the state written
-- (applied = true) or, when not applied, the job's current state (deleted jobs are absent).
-- Rows are found by primary key, one look-up per job of the batch ("id = ANY(@ids)", or the batch joined to the
-- table on id): the planner cannot know a batch's size, and other shapes of these statements became scans of the
-- whole table (every finished job is kept there) or loops over the whole batch for each of its rows.
WITH f AS (
    SELECT * FROM unnest(@ids::bigint[], @nodes::text[], @claims::int[], @states::text[], @nows::bigint[],
                         @scheduled_ats::bigint[], @errors::text[], @give_backs::boolean[])
        AS f(id, node, claims, state, now, scheduled_at, errors, give_back)
),
-- Row locks in id order, taken before the update (its one-time check below reads them all before its first row):
-- the update's own order is the planner's, and two batches (or a batch and renew_leases.sql) locking shared rows in
-- different orders deadlock.
locked AS MATERIALIZED (
    SELECT gq_jobs.id FROM gq_jobs WHERE gq_jobs.id = ANY(@ids::bigint[]) ORDER BY gq_jobs.id FOR UPDATE
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
    FROM f
    WHERE gq_jobs.id = f.id
      -- A one-time check, made before the first row: every lock is taken, in id order, before any row is updated.
      AND (SELECT count(*) FROM locked) >= 0
      AND gq_jobs.state = 'running'
      AND gq_jobs.lease_owner = f.node
      AND gq_jobs.claims = f.claims
    RETURNING gq_jobs.id, gq_jobs.state
)
SELECT id, state, true FROM written
UNION ALL
SELECT j.id, j.state, false FROM gq_jobs j
WHERE j.id = ANY(@ids::bigint[]) AND j.id NOT IN (SELECT id FROM written);
