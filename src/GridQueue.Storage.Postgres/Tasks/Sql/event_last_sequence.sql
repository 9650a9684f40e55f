-- The highest event whose row xid is older than @bound: every lower sequence number is committed or will never exist.
SELECT COALESCE((SELECT seq FROM gq_task_events WHERE age(xmin) > age(@bound::xid) ORDER BY seq DESC LIMIT 1), 0);
