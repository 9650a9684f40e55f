-- Completed and discarded jobs per time bucket since @since (gq_jobs_finalized_state serves the range).
SELECT (finalized_at - @since) / @bucket_ms AS bucket,
       count(*) FILTER (WHERE state = 'completed'),
       count(*) FILTER (WHERE state = 'discarded')
FROM gq_jobs
WHERE finalized_at IS NOT NULL AND finalized_at >= @since AND state IN ('completed', 'discarded')
GROUP BY bucket
ORDER BY bucket;
