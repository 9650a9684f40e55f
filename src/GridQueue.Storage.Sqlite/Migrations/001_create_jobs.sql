-- The job table. Times are Unix milliseconds (UTC). State names are documented in docs/state_machine.md.
CREATE TABLE gq_jobs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT    NOT NULL,
    queue               TEXT    NOT NULL,
    args                TEXT    NOT NULL,
    priority            INTEGER NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN
                            ('available', 'scheduled', 'running', 'retryable', 'completed', 'cancelled', 'discarded')),
    attempt             INTEGER NOT NULL DEFAULT 0,
    -- Times claimed, ever: never reset or decreased, so (lease_owner, claims) names exactly one lease.
    claims              INTEGER NOT NULL DEFAULT 0,
    max_attempts        INTEGER NOT NULL,
    scheduled_at        INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    attempted_at        INTEGER,
    finalized_at        INTEGER,
    lease_owner         TEXT,
    lease_expires_at    INTEGER,
    cancel_requested_at INTEGER,
    unique_key          TEXT,
    fairness_key        TEXT,
    errors              TEXT    NOT NULL DEFAULT '[]'
);

-- Claim order among waiting jobs. The WHERE clause must match the claim query's text exactly.
CREATE INDEX gq_jobs_claim ON gq_jobs (priority, scheduled_at, id)
    WHERE state IN ('available', 'scheduled', 'retryable');

-- The next due time among waiting jobs (how long an idle producer may sleep).
CREATE INDEX gq_jobs_due ON gq_jobs (scheduled_at)
    WHERE state IN ('available', 'scheduled', 'retryable');

-- Running jobs: limits count them per queue and fairness key; the rescuer looks for expired leases.
CREATE INDEX gq_jobs_running ON gq_jobs (queue, fairness_key, lease_expires_at)
    WHERE state = 'running';

-- A unique key is held by at most one unfinished job.
CREATE UNIQUE INDEX gq_jobs_unique_key ON gq_jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable');

-- Retention: finished jobs by the time they finished.
CREATE INDEX gq_jobs_finalized ON gq_jobs (finalized_at)
    WHERE finalized_at IS NOT NULL;
