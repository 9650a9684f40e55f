-- Extends one lease if the node still holds it; reports whether a cancel was requested.
UPDATE gq_jobs
SET lease_expires_at = @lease_expires_at
WHERE id = @id AND state = 'running' AND lease_owner = @node AND attempt = @attempt
RETURNING cancel_requested_at IS NOT NULL;
