-- Extends the leases @node still holds (@leases: JSON array of {id, claims}); reports requested cancels.
UPDATE gq_jobs
SET lease_expires_at = @lease_expires_at
FROM (SELECT value ->> '$.id' AS id, value ->> '$.claims' AS claims FROM json_each(@leases)) AS l
WHERE gq_jobs.id = l.id
  AND gq_jobs.state = 'running'
  AND gq_jobs.lease_owner = @node
  AND gq_jobs.claims = l.claims
RETURNING gq_jobs.id, gq_jobs.cancel_requested_at IS NOT NULL;
