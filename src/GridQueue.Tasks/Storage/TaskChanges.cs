using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Storage;

/// <summary>Stores a rule's result with its event, in the caller's write transaction.</summary>
internal static class TaskChanges
{
    /// <summary>
    /// Compare-and-set of <paramref name="changed"/> over <paramref name="current"/>; when
    /// <paramref name="visible"/>, also appends the event clients see. Null when the rule refused (changed is null)
    /// or another change won the race. With <paramref name="andCommit"/> (visible changes only) the scope is committed
    /// with the change, landed or not (<see cref="ITaskWriteScope.TaskUpdateWithEventAndCommitAsync"/>): only when
    /// nothing was written before it in the scope and nothing follows; a refused rule commits too.
    /// </summary>
    public static async Task<VideoTask?> ApplyAsync(
        ITaskWriteScope scope, VideoTask current, VideoTask? changed, DateTimeOffset now, CancellationToken cancellationToken, bool visible = true,
        bool andCommit = false)
    {
        if (andCommit && !visible)
        {
            throw new ArgumentException("Only a visible change commits with its write.", nameof(andCommit));
        }

        if (changed is null)
        {
            if (andCommit)
            {
                await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        var next = changed with { Version = current.Version + 1 };
        var onlyProgress = OnlyProgressMoved(current, next);
        bool stored;
        if (andCommit)
        {
            stored = await scope.TaskUpdateWithEventAndCommitAsync(
                next, current.Version, onlyProgress, TaskJson.SerializeForLog(next), now, cancellationToken).ConfigureAwait(false);
        }
        else if (visible)
        {
            stored = await scope.TaskUpdateWithEventAsync(
                next, current.Version, onlyProgress, TaskJson.SerializeForLog(next), now, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            stored = onlyProgress
                ? await scope.TaskUpdateProgressAsync(next, current.Version, cancellationToken).ConfigureAwait(false)
                : await scope.TaskUpdateAsync(next, current.Version, cancellationToken).ConfigureAwait(false);
        }

        return stored ? next : null;
    }

    /// <summary>Whether <paramref name="next"/> is <paramref name="current"/> with another progress, version and update time.</summary>
    internal static bool OnlyProgressMoved(VideoTask current, VideoTask next) =>
        next == (current with { Progress = next.Progress, Version = next.Version, UpdatedAt = next.UpdatedAt });
}
