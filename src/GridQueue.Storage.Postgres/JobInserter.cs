using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using Npgsql;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// Inserts on a given connection and transaction (the caller's or the store's own). Rows without a unique key go in
/// one statement. A row with one is inserted alone with ON CONFLICT on the partial unique index: when a concurrent
/// transaction inserts the same key, PostgreSQL makes ours wait for it and then skips, and the holder is read in a
/// fresh snapshot (READ COMMITTED), so the caller is told which job holds the key.
/// </summary>
internal static class JobInserter
{
    /// <summary>A holder that finishes between the skipped insert and the look-up frees the key: try again this often.</summary>
    private const int MaxRounds = 5;

    /// <summary>
    /// True when <paramref name="rows"/> need a transaction of their own: rows with a unique key are inserted one
    /// statement each. Rows without one go in a single statement, which commits on its own.
    /// </summary>
    public static bool NeedsTransaction(IReadOnlyList<JobInsertRow> rows) => !rows.All(r => r.UniqueKey is null);

    /// <summary>
    /// Inserts <paramref name="rows"/>; <paramref name="transaction"/> may be null only when
    /// <see cref="NeedsTransaction"/> is false.
    /// </summary>
    public static async Task<IReadOnlyList<InsertResult>> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<JobInsertRow> rows, CancellationToken cancellationToken)
    {
        List<InsertResult> results;
        if (!NeedsTransaction(rows))
        {
            results = await InsertWithoutKeysAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            ArgumentNullException.ThrowIfNull(transaction);
            results = new List<InsertResult>(rows.Count);
            foreach (var row in rows)
            {
                results.Add(await InsertOneAsync(connection, transaction, row, cancellationToken).ConfigureAwait(false));
            }
        }

        return results;
    }

    /// <summary>
    /// The queues that got available jobs, to announce once the insert commits; scheduled jobs are found by each
    /// producer's own timer and poll.
    /// </summary>
    public static string[] AvailableQueues(IReadOnlyList<InsertResult> results) =>
        [.. results.Where(r => !r.Deduplicated && r.Job.State == JobState.Available).Select(r => r.Job.Queue).Distinct()];

    /// <summary>
    /// Announces <paramref name="queues"/> from inside a caller's transaction that the store does not see commit:
    /// PostgreSQL sends the notification at commit, to every listening node, and not at all on rollback. It also
    /// makes that commit take the server-wide notification lock (see <see cref="CommitNotices"/>), which is why the
    /// store's own inserts and the task store's scopes announce after their commit instead.
    /// </summary>
    public static async Task NotifyInTransactionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string[] queues, CancellationToken cancellationToken)
    {
        if (queues.Length == 0)
        {
            return;
        }

        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, q) FROM unnest(@queues::text[]) AS q", connection, transaction);
        notify.Parameters.AddWithValue("channel", NodeListener.JobsChannel);
        notify.Parameters.AddWithValue("queues", queues);
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<InsertResult>> InsertWithoutKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<JobInsertRow> rows, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SqlText.InsertMany, connection, transaction);
        command.Parameters.AddWithValue("kinds", rows.Select(r => r.Kind).ToArray());
        command.Parameters.AddWithValue("queues", rows.Select(r => r.Queue).ToArray());
        command.Parameters.AddWithValue("args", rows.Select(r => r.Args).ToArray());
        command.Parameters.AddWithValue("priorities", rows.Select(r => r.Priority).ToArray());
        command.Parameters.AddWithValue("states", rows.Select(r => r.State.ToStorageName()).ToArray());
        command.Parameters.AddWithValue("max_attempts", rows.Select(r => r.MaxAttempts).ToArray());
        command.Parameters.AddWithValue("scheduled_ats", rows.Select(r => JobRows.ToMs(r.ScheduledAt)).ToArray());
        command.Parameters.AddWithValue("created_ats", rows.Select(r => JobRows.ToMs(r.CreatedAt)).ToArray());
        command.Parameters.AddWithValue("fairness_keys", rows.Select(r => r.FairnessKey).ToArray());
        var jobs = await JobRows.ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        if (jobs.Count != rows.Count)
        {
            throw new InvalidOperationException($"Inserted {jobs.Count} jobs for {rows.Count} rows.");
        }

        // Ids are drawn in input order; RETURNING itself promises no order.
        jobs.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return [.. jobs.Select(j => new InsertResult(j, false))];
    }

    private static async Task<InsertResult> InsertOneAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, JobInsertRow row, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            await using (var insert = new NpgsqlCommand(SqlText.Insert, connection, transaction))
            {
                insert.Parameters.AddWithValue("kind", row.Kind);
                insert.Parameters.AddWithValue("queue", row.Queue);
                insert.Parameters.AddWithValue("args", row.Args);
                insert.Parameters.AddWithValue("priority", row.Priority);
                insert.Parameters.AddWithValue("state", row.State.ToStorageName());
                insert.Parameters.AddWithValue("max_attempts", row.MaxAttempts);
                insert.Parameters.AddWithValue("scheduled_at", JobRows.ToMs(row.ScheduledAt));
                insert.Parameters.AddWithValue("created_at", JobRows.ToMs(row.CreatedAt));
                insert.Parameters.Add(new NpgsqlParameter("unique_key", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)row.UniqueKey ?? DBNull.Value });
                insert.Parameters.Add(new NpgsqlParameter("fairness_key", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)row.FairnessKey ?? DBNull.Value });
                if ((await JobRows.ReadAllAsync(insert, cancellationToken).ConfigureAwait(false)).SingleOrDefault() is { } inserted)
                {
                    return new InsertResult(inserted, false);
                }
            }

            // Nothing inserted: the only uniqueness rule is the unique key among unfinished jobs.
            await using var holder = new NpgsqlCommand(SqlText.GetUnfinishedByUniqueKey, connection, transaction);
            holder.Parameters.AddWithValue("unique_key", row.UniqueKey!);
            if ((await JobRows.ReadAllAsync(holder, cancellationToken).ConfigureAwait(false)).SingleOrDefault() is { } existing)
            {
                return new InsertResult(existing, true);
            }
        }

        throw new InvalidOperationException(
            $"Insert of a '{row.Kind}' job was skipped {MaxRounds} times, yet no unfinished job holds unique key '{row.UniqueKey}'.");
    }
}
