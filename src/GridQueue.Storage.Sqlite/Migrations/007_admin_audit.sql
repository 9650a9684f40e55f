-- What admins did through the console (redrive, purge): who, what, to what, when (Unix milliseconds).
CREATE TABLE gq_admin_audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    detail  TEXT    NOT NULL
);

-- The throughput chart counts finished jobs by state over the last minutes.
CREATE INDEX gq_jobs_finalized_state ON gq_jobs (finalized_at, state) WHERE finalized_at IS NOT NULL;
