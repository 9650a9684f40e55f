-- Events up to the highest one whose row xid is older than the bound (see event_last_sequence.sql): all of them are
-- committed or will never exist. Payloads are logged without images (kept once, in gq_task_images); the store puts
-- the task's images back.
SELECT e.seq, e.task_id, e.user_id, e.created_at, e.payload, COALESCE(i.images, '[]')
FROM gq_task_events e LEFT JOIN gq_task_images i ON i.task_id = e.task_id
WHERE e.task_id = @task_id AND e.user_id = @user_id AND e.seq > @after
  AND e.seq <= (SELECT f.seq FROM gq_task_events f
                WHERE f.seq > @after AND age(f.xmin) > age(current_setting('gq.event_bound')::xid)
                ORDER BY f.seq DESC LIMIT 1)
ORDER BY e.seq
LIMIT @limit;
