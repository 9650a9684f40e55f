-- Extends the leases @node still holds (@ids with their @claims); reports requested cancels. Rows are locked in id
-- order first, as finalize_many.sql does, so the two never deadlock over shared rows; and found by primary key, as
-- there, not by a join with the batch (see finalize_many.sql).
WITH l AS (
    SELECT * FROM unnest(@ids::bigint[], @claims::int[]) AS l(id, claims)
),
locked AS MATERIALIZED (
    SELECT gq_jobs.id FROM gq_jobs WHERE gq_jobs.id = ANY(@ids::bigint[]) ORDER BY gq_jobs.id FOR UPDATE
)
UPDATE gq_jobs
SET lease_expires_at = @lease_expires_at
FROM l
WHERE gq_jobs.id = l.id
  -- A one-time check, made before the first row: every lock is taken, in id order, before any row is updated.
  AND (SELECT count(*) FROM locked) >= 0
  AND gq_jobs.state = 'running'
  AND gq_jobs.lease_owner = @node
  AND gq_jobs.claims = l.claims
RETURNING gq_jobs.id, gq_jobs.cancel_requested_at IS NOT NULL;
