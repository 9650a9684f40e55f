-- Extends the leases @node still holds (@ids with their @claims); reports requested cancels.
UPDATE gq_jobs
SET lease_expires_at = @lease_expires_at
FROM unnest(@ids::bigint[], @claims::int[]) AS l(id, claims)
WHERE gq_jobs.id = l.id
  AND gq_jobs.state = 'running'
  AND gq_jobs.lease_owner = @node
  AND gq_jobs.claims = l.claims
RETURNING gq_jobs.id, gq_jobs.cancel_requested_at IS NOT NULL;
