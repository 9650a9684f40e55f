-- One admin action.
INSERT INTO gq_admin_audit (at, actor, action, target, detail)
VALUES (@at, @actor, @action, @target, @detail)
RETURNING id;
