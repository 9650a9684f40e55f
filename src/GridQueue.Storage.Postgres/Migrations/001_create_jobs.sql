-- The job table. Times are Unix milliseconds (UTC), as in the SQLite store, so both share one row reader and the
-- engine's clock keeps millisecond precision. State names are documented in docs/state_machine.md.
CREATE TABLE gq_jobs (
    id                  bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text    NOT NULL,
    queue               text    NOT NULL,
    -- The handler's arguments as the caller wrote them (text, not jsonb, so they come back byte for byte).
    args                text    NOT NULL,
    priority            integer NOT NULL,
    state               text    NOT NULL CHECK (state IN
                            ('available', 'scheduled', 'running', 'retryable', 'completed', 'cancelled', 'discarded')),
    attempt             integer NOT NULL DEFAULT 0,
    -- Times claimed, ever: never reset or decreased, so (lease_owner, claims) names exactly one lease.
    claims              integer NOT NULL DEFAULT 0,
    max_attempts        integer NOT NULL,
    scheduled_at        bigint  NOT NULL,
    created_at          bigint  NOT NULL,
    attempted_at        bigint,
    finalized_at        bigint,
    lease_owner         text,
    lease_expires_at    bigint,
    cancel_requested_at bigint,
    unique_key          text,
    fairness_key        text,
    errors              jsonb   NOT NULL DEFAULT '[]'
);

-- Claim order among waiting jobs. The WHERE clause must match the claim queries' text for the planner to use it.
CREATE INDEX gq_jobs_claim ON gq_jobs (priority, scheduled_at, id)
    WHERE state IN ('available', 'scheduled', 'retryable');

-- The next due time among waiting jobs (how long an idle producer may sleep).
CREATE INDEX gq_jobs_due ON gq_jobs (queue, scheduled_at)
    WHERE state IN ('available', 'scheduled', 'retryable');

-- Running jobs: limits count them per queue and fairness key; the rescuer looks for expired leases.
CREATE INDEX gq_jobs_running_queue ON gq_jobs (queue, fairness_key) WHERE state = 'running';
CREATE INDEX gq_jobs_running_lease ON gq_jobs (lease_expires_at) WHERE state = 'running';

-- A unique key is held by at most one unfinished job. Inserts name this predicate in ON CONFLICT, so two
-- transactions inserting the same key at once cannot both succeed: the second waits for the first and skips.
CREATE UNIQUE INDEX gq_jobs_unique_key ON gq_jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable');

-- Retention: finished jobs by the time they finished.
CREATE INDEX gq_jobs_finalized ON gq_jobs (finalized_at) WHERE finalized_at IS NOT NULL;
