-- The event writers' lock, shared, held until the transaction ends: taken before a sequence number is drawn, so
-- readers wait only for transactions that may hold a number (EventVisibility.cs). Never taken exclusively.
SELECT pg_advisory_xact_lock_shared({writers_lock_class}, 0) AS writers_lock;
