-- The first statement of every batch that writes only the engine's own bookkeeping (claims, outcomes, lease renewals,
-- rescues, clean-up): its implicit transaction commits without waiting for the WAL flush. See BookkeepingBatch.cs.
SELECT set_config('synchronous_commit', 'off', true)
