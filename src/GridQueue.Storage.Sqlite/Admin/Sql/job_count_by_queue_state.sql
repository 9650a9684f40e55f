-- Jobs per queue and state, for the admin console's counts.
SELECT queue, state, count(*) FROM gq_jobs GROUP BY queue, state ORDER BY queue, state;
