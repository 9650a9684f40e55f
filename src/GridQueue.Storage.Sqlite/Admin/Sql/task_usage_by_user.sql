-- Per user: all tasks, running tasks, failed tasks; the busiest users first.
SELECT user_id, count(*),
       count(*) FILTER (WHERE status = 'running'),
       count(*) FILTER (WHERE status = 'failed')
FROM gq_tasks
GROUP BY user_id
ORDER BY count(*) DESC, user_id
LIMIT @limit;
