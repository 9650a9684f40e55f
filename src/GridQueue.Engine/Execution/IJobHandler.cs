namespace GridQueue.Engine.Execution;

/// <summary>
/// Runs jobs of one kind. A handler must be safe to run again for the same job: execution is at least once
/// (a node can die after the work and before the completion is stored).
/// </summary>
public interface IJobHandler
{
    /// <param name="context">The job and its run.</param>
    /// <param name="cancellationToken">
    /// Signalled when the job is cancelled, its lease is lost, or shutdown's grace period ends.
    /// Throwing <see cref="OperationCanceledException"/> on it is the expected answer.
    /// </param>
    Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken);
}
