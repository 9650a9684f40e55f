-- Where a task is delivered (signed) when it ends: the generate request's callback_url, null for none. Set once.
ALTER TABLE gq_tasks ADD COLUMN callback_url text;
