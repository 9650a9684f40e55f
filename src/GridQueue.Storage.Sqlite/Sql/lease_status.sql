-- Which of @node's leases (@leases: JSON array of {id, claims}) are still held, and whether a cancel was requested.
SELECT j.id, j.cancel_requested_at IS NOT NULL
FROM json_each(@leases) AS l
JOIN gq_jobs AS j ON j.id = l.value ->> '$.id'
WHERE j.state = 'running'
  AND j.lease_owner = @node
  AND j.claims = l.value ->> '$.claims';
