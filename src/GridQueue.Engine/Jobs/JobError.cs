namespace GridQueue.Engine.Jobs;

/// <summary>One failed attempt, as kept on the job (only the most recent few are kept; see MaxErrorsKept).</summary>
/// <param name="Attempt">The attempt number that failed (1 for the first run).</param>
/// <param name="At">When the failure was recorded.</param>
/// <param name="Message">What went wrong, for a person.</param>
public sealed record JobError(int Attempt, DateTimeOffset At, string Message);
