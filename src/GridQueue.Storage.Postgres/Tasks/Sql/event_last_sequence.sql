-- The highest event whose row xid is older than the bound that event_visible_bound.sql set just before, in the same
-- batch: every lower sequence number is committed or will never exist.
SELECT COALESCE((SELECT seq FROM gq_task_events WHERE age(xmin) > age(current_setting('gq.event_bound')::xid) ORDER BY seq DESC LIMIT 1), 0);
