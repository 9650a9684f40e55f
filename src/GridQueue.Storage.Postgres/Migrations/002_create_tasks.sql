-- Video tasks, their images, their event log and idempotency keys. Times are Unix milliseconds (UTC), as in the
-- SQLite store, so both share one row mapping (TaskRows). Ids, user ids, providers and keys are COLLATE "C": ids sort
-- by creation time as ordinal strings (the list cursor and the waiting lines rely on it) whatever the database's
-- collation, and byte comparison is the cheapest.
CREATE TABLE gq_tasks (
    id                text    COLLATE "C" PRIMARY KEY,
    user_id           text    COLLATE "C" NOT NULL,
    provider          text    COLLATE "C" NOT NULL,
    model             text    NOT NULL,
    prompt            text    NOT NULL,
    aspect_ratio      text    NOT NULL,
    duration          integer NOT NULL,
    hd                boolean NOT NULL,
    status            text    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress          integer NOT NULL CHECK (progress BETWEEN 0 AND 100),
    video_url         text,
    error_message     text,
    attempt           integer NOT NULL,
    upstream_task_id  text,
    submit_state      text    NOT NULL CHECK (submit_state IN ('not_sent', 'in_flight', 'accepted')),
    started_at        bigint,
    api_key           text,               -- the user's upstream key, encrypted; erased when the task ends
    uses_own_api_key  boolean NOT NULL,
    job_id            bigint,             -- gq_jobs.id of the driving job; NULL while the task waits in its line
    version           bigint  NOT NULL,   -- compare-and-set: every change writes version + 1 where version matched
    created_at        bigint  NOT NULL,
    updated_at        bigint  NOT NULL,
    completed_at      bigint
);

-- A user's tasks, newest first, optionally by status; running counts per user use the second.
CREATE INDEX gq_tasks_user ON gq_tasks (user_id, id);
CREATE INDEX gq_tasks_user_status ON gq_tasks (user_id, status, id);

-- Running tasks per provider (the provider limit).
CREATE INDEX gq_tasks_running_provider ON gq_tasks (provider) WHERE status = 'running';

-- Waiting lines: a queued task over a limit has no job and waits in its (user, provider) line, oldest id first.
CREATE INDEX gq_tasks_queued ON gq_tasks (user_id, provider, id) WHERE status = 'queued';
CREATE INDEX gq_tasks_queued_provider ON gq_tasks (provider, id) WHERE status = 'queued';

-- Unfinished tasks, for the sweeper (deadline passed, driving job finished).
CREATE INDEX gq_tasks_unfinished ON gq_tasks (status, id) WHERE status IN ('queued', 'running');

-- Users' keys left on ended tasks (kept for an upstream cancel whose job was given up): the sweeper erases them.
CREATE INDEX gq_tasks_kept_keys ON gq_tasks (completed_at) WHERE api_key IS NOT NULL;

-- A task's images, written once in the transaction that makes the task and never updated, so a task change does
-- not rewrite (nor a handler read) megabytes of data: URLs. Tasks without images have no row.
CREATE TABLE gq_task_images (
    task_id text COLLATE "C" PRIMARY KEY,   -- gq_tasks.id
    images  text NOT NULL                   -- JSON array of strings, as TaskJson.SerializeImages writes it
);

-- One row per change: seq is the SSE event id. It is handed out before the writing transaction commits, so
-- sequence numbers commit out of order; readers apply the visibility rule in event_visible_bound.sql, which relies
-- on each row being inserted in a subtransaction of its own (its xmin is an xid taken after its seq) and on the
-- sequence handing values out in time order: CACHE must stay 1 (a per-session cache would break that order).
CREATE TABLE gq_task_events (
    seq        bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY,
    task_id    text   COLLATE "C" NOT NULL,
    user_id    text   COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    payload    text   NOT NULL             -- the task as JSON, without its images (put back from gq_task_images)
);
CREATE INDEX gq_task_events_user ON gq_task_events (user_id, seq);
CREATE INDEX gq_task_events_task ON gq_task_events (task_id, seq);
CREATE INDEX gq_task_events_created ON gq_task_events (created_at);

-- A user's idempotency keys: a claim is one INSERT ... ON CONFLICT on the primary key, so of concurrent claims of
-- one key exactly one wins (the others wait for its transaction, then see its row or, if it rolled back, insert).
CREATE TABLE gq_task_idempotency (
    user_id    text   COLLATE "C" NOT NULL,
    key        text   COLLATE "C" NOT NULL,
    task_id    text   COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX gq_task_idempotency_created ON gq_task_idempotency (created_at);
