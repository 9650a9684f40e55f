-- Video tasks, their event log and idempotency keys. Times are Unix milliseconds (UTC).
CREATE TABLE gq_tasks (
    id                TEXT    PRIMARY KEY,
    user_id           TEXT    NOT NULL,
    provider          TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    prompt            TEXT    NOT NULL,
    aspect_ratio      TEXT    NOT NULL,
    duration          INTEGER NOT NULL,
    hd                INTEGER NOT NULL,
    images            TEXT    NOT NULL,   -- JSON array of strings
    status            TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress          INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    video_url         TEXT,
    error_message     TEXT,
    attempt           INTEGER NOT NULL,
    upstream_task_id  TEXT,
    submit_state      TEXT    NOT NULL CHECK (submit_state IN ('not_sent', 'in_flight', 'accepted')),
    started_at        INTEGER,
    api_key           TEXT,               -- the user's upstream key, encrypted; erased when the task ends
    uses_own_api_key  INTEGER NOT NULL,
    job_id            INTEGER,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    completed_at      INTEGER
) WITHOUT ROWID;

-- A user's tasks, newest first (ids sort by creation time), optionally by status.
CREATE INDEX gq_tasks_user ON gq_tasks (user_id, id);
CREATE INDEX gq_tasks_user_status ON gq_tasks (user_id, status, id);

-- Running tasks per provider (the provider limit).
CREATE INDEX gq_tasks_running_provider ON gq_tasks (provider) WHERE status = 'running';

-- One row per change, in commit order: seq is the SSE event id.
CREATE TABLE gq_task_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    payload    TEXT    NOT NULL
);
CREATE INDEX gq_task_events_user ON gq_task_events (user_id, seq);
CREATE INDEX gq_task_events_created ON gq_task_events (created_at);

CREATE TABLE gq_task_idempotency (
    user_id    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    task_id    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX gq_task_idempotency_created ON gq_task_idempotency (created_at);
