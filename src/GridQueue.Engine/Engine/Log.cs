using GridQueue.Engine.Execution;
using Microsoft.Extensions.Logging;

namespace GridQueue.Engine.Engine;

/// <summary>The engine's log messages, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Job engine {Node} started on {Store}: {Workers} workers, queues {Queues}")]
    public static partial void Started(ILogger logger, string node, string store, int workers, string queues);

    [LoggerMessage(2, LogLevel.Information, "Job engine {Node} stopped; {Left} handlers still running were left to lease expiry")]
    public static partial void Stopped(ILogger logger, string node, int left);

    [LoggerMessage(3, LogLevel.Error, "Job engine {Node}: {Loop} failed; retrying in {Delay}")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string node, string loop, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "Job {JobId} ({Kind}) attempt {Attempt} failed: {Message}")]
    public static partial void JobFailed(ILogger logger, long jobId, string kind, int attempt, string message);

    [LoggerMessage(5, LogLevel.Warning, "Job {JobId}: outcome not stored because the job is no longer running under this node's lease (now {State})")]
    public static partial void FinalizationRefused(ILogger logger, long jobId, string state);

    [LoggerMessage(6, LogLevel.Warning, "Job {JobId}: lease lost while its handler ran; the handler was signalled to stop")]
    public static partial void LeaseLost(ILogger logger, long jobId);

    [LoggerMessage(7, LogLevel.Information, "Rescued {Count} jobs whose lease expired")]
    public static partial void Rescued(ILogger logger, int count);

    [LoggerMessage(8, LogLevel.Information, "Deleted {Count} finished jobs past their retention")]
    public static partial void Cleaned(ILogger logger, int count);

    [LoggerMessage(9, LogLevel.Error, "Job {JobId} ({Kind}): handler threw")]
    public static partial void HandlerThrew(ILogger logger, Exception exception, long jobId, string kind);

    [LoggerMessage(10, LogLevel.Warning, "Job {JobId}: handler finished after the shutdown grace period; its outcome is not stored and the job will be rescued when its lease expires")]
    public static partial void OutcomeDroppedAtShutdown(ILogger logger, long jobId);

    [LoggerMessage(11, LogLevel.Error, "Job {JobId} ({Kind}): its {Outcome} outcome could not be recorded; it is recorded as a failure instead")]
    public static partial void OutcomeNotRecordable(ILogger logger, Exception exception, long jobId, string kind, JobOutcomeKind outcome);

    [LoggerMessage(12, LogLevel.Critical, "Job {JobId} ({Kind}): not even a failure could be recorded; its lease is let go so the job is rescued when it expires")]
    public static partial void FailureNotRecordable(ILogger logger, Exception exception, long jobId, string kind);
}
