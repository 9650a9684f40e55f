-- What admins did through the console (redrive, purge): who, what, to what, when (Unix milliseconds).
CREATE TABLE gq_admin_audit (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      bigint NOT NULL,
    actor   text   NOT NULL,
    action  text   NOT NULL,
    target  text   NOT NULL,
    detail  text   NOT NULL
);

-- The throughput chart counts finished jobs by state over the last minutes.
CREATE INDEX gq_jobs_finalized_state ON gq_jobs (finalized_at, state) WHERE finalized_at IS NOT NULL;
