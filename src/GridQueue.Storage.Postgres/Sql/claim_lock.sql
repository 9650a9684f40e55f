-- Serializes claims that must respect a limit (see PostgresJobStore.ClaimAsync): @keys sorted, so two claimers
-- always take them in the same order and cannot deadlock. Held until the claim's transaction ends.
SELECT pg_advisory_xact_lock(k) FROM unnest(@keys::bigint[]) AS k;
