-- The audit log, newest first.
SELECT id, at, actor, action, target, detail FROM gq_admin_audit
WHERE (@before IS NULL OR id < @before)
ORDER BY id DESC
LIMIT @limit;
