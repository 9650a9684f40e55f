namespace GridQueue.Engine.Jobs;

/// <summary>The outcome of one insert.</summary>
/// <param name="Job">The job as stored: the new one, or the existing unfinished job holding the same unique key.</param>
/// <param name="Deduplicated">True when no job was inserted because <see cref="Job"/> already held the unique key.</param>
public sealed record InsertResult(Job Job, bool Deduplicated);
