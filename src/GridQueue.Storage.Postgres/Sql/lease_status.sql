-- Which of @node's leases (@ids with their @claims) are still held, and whether a cancel was requested.
SELECT j.id, j.cancel_requested_at IS NOT NULL
FROM unnest(@ids::bigint[], @claims::int[]) AS l(id, claims)
JOIN gq_jobs AS j ON j.id = l.id
WHERE j.state = 'running'
  AND j.lease_owner = @node
  AND j.claims = l.claims;
