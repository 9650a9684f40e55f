-- After a claim that returned nothing: the row it found (committed, and locked by that claim until its transaction ends).
SELECT task_id FROM gq_task_idempotency WHERE user_id = @user_id AND key = @key;
