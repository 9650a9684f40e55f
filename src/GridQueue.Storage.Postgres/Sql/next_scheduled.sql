-- The earliest scheduled time of a waiting job in the requested queues: one probe of gq_jobs_due per queue. (A
-- MIN over queue = ANY(...) cannot read the index in order, so it read every waiting job: 10,000 polls scheduled a
-- minute ahead made each call scan them all.)
SELECT MIN(first.scheduled_at)
FROM unnest(@queues::text[]) AS q(queue)
CROSS JOIN LATERAL (
    SELECT j.scheduled_at FROM gq_jobs j
    WHERE j.queue = q.queue AND j.state IN ('available', 'scheduled', 'retryable')
    ORDER BY j.scheduled_at
    LIMIT 1) AS first;
