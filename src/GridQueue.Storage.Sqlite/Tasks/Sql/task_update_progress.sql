-- Compare-and-set of a change that moved only the progress (so its version and updated_at). It names only those
-- columns: SQLite rewrites the entries of every index on a column an UPDATE sets, even to the same value, and the
-- full update sets the status and key columns that six indexes hold.
UPDATE gq_tasks
SET progress = @progress, version = @version, updated_at = @updated_at
WHERE id = @id AND version = @expected_version;
