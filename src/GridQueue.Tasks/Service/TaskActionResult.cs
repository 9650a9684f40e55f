using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Service;

/// <summary>How a cancel or retry went.</summary>
public enum TaskActionStatus
{
    /// <summary>Done (or, for a cancel of a cancelled task, already so).</summary>
    Done,

    /// <summary>No such task for this user.</summary>
    NotFound,

    /// <summary>The task's status does not allow the action; the message says why.</summary>
    NotAllowed,

    /// <summary>The request lacks something the action needs (a field error).</summary>
    Invalid,
}

/// <summary>The outcome of a cancel or retry, with the task as it now is when found.</summary>
public sealed record TaskActionResult(TaskActionStatus Status, VideoTask? Task, string? Message = null, string? Field = null)
{
    public static TaskActionResult NotFound { get; } = new(TaskActionStatus.NotFound, null);
}
