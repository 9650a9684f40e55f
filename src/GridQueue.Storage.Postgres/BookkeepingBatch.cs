using Npgsql;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// Batches for the engine's own bookkeeping — claims, outcomes, lease renewals, rescues and clean-up — whose implicit
/// transaction commits without waiting for PostgreSQL to flush its write-ahead log (<c>synchronous_commit = off</c>
/// for that transaction only). This is the SQLite store's bookkeeping connection on PostgreSQL, with the same
/// argument: the commit is crash-safe and ordered (the log is written, only not yet flushed), and the next
/// synchronous commit — any insert, cancel, re-queue or durable task change, from any node — flushes it with
/// everything before it. A crash of the database server can undo only the last few hundred milliseconds of
/// bookkeeping, which makes those jobs run again: what the at-least-once promise already covers. In particular a
/// submit job whose claim is undone finds its task's submit marked in flight — a durable write made after the
/// claim, which flushed the claim too — and never pays twice.
/// </summary>
internal static class BookkeepingBatch
{
    /// <summary>A batch on a pooled connection whose first command relaxes the commit; add the work after it.</summary>
    public static NpgsqlBatch Create(NpgsqlDataSource dataSource)
    {
        var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SqlText.BookkeepingCommit));
        return batch;
    }

    /// <summary>Moves <paramref name="reader"/> past the first command's result to the work's.</summary>
    public static async Task SkipRelaxAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("A bookkeeping batch returned no result after its first statement.");
        }
    }
}
