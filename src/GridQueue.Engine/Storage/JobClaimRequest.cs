namespace GridQueue.Engine.Storage;

/// <summary>What a producer asks for when it claims.</summary>
/// <param name="Node">The claiming node; becomes the lease owner.</param>
/// <param name="Limit">At most this many jobs (the producer's free slots).</param>
/// <param name="Now">Jobs scheduled at or before this are due.</param>
/// <param name="LeaseExpiresAt">The lease given to each claimed job.</param>
/// <param name="Queues">The queues to claim from, each with its limit of running jobs across all nodes.</param>
/// <param name="MaxRunningPerFairnessKey">Across all nodes, at most this many running jobs share one fairness key; null is no limit.</param>
public sealed record JobClaimRequest(
    string Node,
    int Limit,
    DateTimeOffset Now,
    DateTimeOffset LeaseExpiresAt,
    IReadOnlyList<QueueLimit> Queues,
    int? MaxRunningPerFairnessKey);

/// <summary>A queue and its limit of running jobs across all nodes (null: only the pool size limits it).</summary>
public sealed record QueueLimit(string Queue, int? MaxRunning);
