using System.Security.Cryptography;
using System.Text;
using GridQueue.Engine.Storage;

namespace GridQueue.Storage.Postgres;

/// <summary>
/// The advisory locks a limited claim takes before it counts running jobs.
/// <para>
/// Why a lock: FOR UPDATE SKIP LOCKED keeps two claimers from taking the same job, but not from exceeding a limit.
/// Each claim counts the running jobs in its own snapshot; two claims on two nodes running at once each see the other's
/// new running jobs as still waiting, each stays within the limit on its own, and together they exceed it. So claims
/// that count for a limit run one at a time: each first takes a transaction-level advisory lock, then (in the next
/// statement, which takes a fresh snapshot in READ COMMITTED) counts and claims, and commits, which releases the
/// lock. The next claimer's count therefore includes every earlier claim. Jobs only leave "running" through other
/// writes, which can make a count too high for a moment, never too low.
/// </para>
/// <para>
/// Which locks: one per queue with a limit (claims of other queues do not wait), and one for the fairness-key limit,
/// which counts running jobs across all queues. Keys are taken in ascending order, so two claimers cannot deadlock.
/// Claims without any limit take no lock at all.
/// </para>
/// </summary>
internal static class ClaimLocks
{
    /// <summary>The sorted lock keys for a claim; empty when no limit applies.</summary>
    public static long[] For(JobClaimRequest request)
    {
        var keys = new SortedSet<long>();
        foreach (var queue in request.Queues.Where(q => q.MaxRunning is not null))
        {
            keys.Add(Key("gridqueue.claim.queue:" + queue.Queue));
        }

        if (request.MaxRunningPerFairnessKey is not null)
        {
            keys.Add(Key("gridqueue.claim.fairness"));
        }

        return [.. keys];
    }

    /// <summary>A stable 64-bit key for a name (the same on every node and every version).</summary>
    private static long Key(string name) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0);
}
