-- The running slots of a user, then of a provider, held until the transaction ends (see PostgresTaskWriteScope.
-- LockSlotsAsync). Two statements, so the order is certain: every transaction takes the user's lock first, and no
-- cycle of waits can form. The two-int form keeps users and providers in key spaces of their own (@user_class,
-- @provider_class), apart from the bigint-keyed locks of the job store; two names with one hash merely share a lock.
-- A null name (no limit for it) takes no lock.
SELECT pg_advisory_xact_lock(@user_class, hashtext(@user_id)) WHERE @user_id IS NOT NULL;
SELECT pg_advisory_xact_lock(@provider_class, hashtext(@provider)) WHERE @provider IS NOT NULL;
