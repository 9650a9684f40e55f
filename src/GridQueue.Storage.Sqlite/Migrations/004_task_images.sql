-- A task's images in a row of their own, written once when the task is made. In gq_tasks they were rewritten by
-- every change (SQLite writes the whole row, overflow pages included) and read by every handler. Tasks without
-- images have no row here.
CREATE TABLE gq_task_images (
    task_id TEXT NOT NULL PRIMARY KEY,   -- gq_tasks.id
    images  TEXT NOT NULL                -- JSON array of strings, as TaskJson.SerializeImages writes it
) WITHOUT ROWID;

INSERT INTO gq_task_images (task_id, images) SELECT id, images FROM gq_tasks WHERE images <> '[]';

-- gq_tasks.images is legacy from here on: always '[]' (SQLite cannot drop a column without copying the table).
UPDATE gq_tasks SET images = '[]' WHERE images <> '[]';
