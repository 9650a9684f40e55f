using System.Text.Json;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Tasks.Admin;
using GridQueue.Tasks.Jobs;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;

namespace GridQueue.Server.Api.Admin;

/// <summary>
/// Redrive and purge of dead letters (discarded jobs), each written to the audit log.
/// <para>
/// What redrive means for the tasks layer's jobs: a task whose submit or poll job was discarded is failed by the
/// sweeper ("every task ends"), and a failed task is started again only by the user's retry, which is a new attempt
/// the user asked for. So a submit or poll dead letter is redriven only while its task has not ended; once it has, the
/// redrive is refused (the task's owner may retry it). Requeueing such a job could not re-charge anyway (the handlers
/// complete at once for an ended task or an older attempt), but a redrive that silently does nothing would mislead.
/// Every other job (an upstream cancel, a webhook delivery, any kind of the engine's users) is simply put back with a
/// fresh set of attempts.
/// </para>
/// </summary>
public sealed class DeadLetters(JobEngine engine, IJobAdminStore jobs, ITaskStore tasks, IAdminStore admin, TimeProvider time)
{
    /// <summary>Most dead letters one filtered action touches.</summary>
    public const int MaxPerAction = 500;

    public const string Redrive = "redrive";
    public const string Purge = "purge";

    /// <summary>The task a tasks-layer job drives, read from its args; null for other kinds.</summary>
    public static string? TaskIdOf(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Kind is not (TaskJobs.Submit or TaskJobs.Poll or TaskJobs.CancelUpstream))
        {
            return null;
        }

        try
        {
            using var args = JsonDocument.Parse(job.Args);
            return args.RootElement.TryGetProperty("task_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Redrives one job; null when there is no such job.</summary>
    public async Task<DeadLetterActionResult?> RedriveOneAsync(string actor, long id, CancellationToken cancellationToken)
    {
        var job = await engine.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        var result = await RedriveAsync([job], cancellationToken).ConfigureAwait(false);
        await AuditAsync(actor, Redrive, $"job {id}", result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Purges one job; null when there is no such job.</summary>
    public async Task<DeadLetterActionResult?> PurgeOneAsync(string actor, long id, CancellationToken cancellationToken)
    {
        var job = await engine.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        var result = await PurgeAsync([job], cancellationToken).ConfigureAwait(false);
        await AuditAsync(actor, Purge, $"job {id}", result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Redrives or purges every dead letter matching the filter (at most <see cref="MaxPerAction"/>).</summary>
    public async Task<DeadLetterActionResult> ApplyToFilteredAsync(string actor, string action, string? kind, string? queue, CancellationToken cancellationToken)
    {
        var matching = await ListAsync(kind, queue, 0, MaxPerAction, cancellationToken).ConfigureAwait(false);
        var result = action == Redrive
            ? await RedriveAsync(matching, cancellationToken).ConfigureAwait(false)
            : await PurgeAsync(matching, cancellationToken).ConfigureAwait(false);
        var target = $"dead letters kind={kind ?? "any"} queue={queue ?? "any"}";
        await AuditAsync(actor, action, target, result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Dead letters after <paramref name="afterId"/>, oldest first, narrowed to a kind and a queue when given.</summary>
    public async Task<List<Job>> ListAsync(string? kind, string? queue, long afterId, int limit, CancellationToken cancellationToken)
    {
        var found = new List<Job>();
        while (found.Count < limit)
        {
            // The store filters by kind; a queue filter is applied here, so pages are read until enough match.
            var page = await engine.ListAsync(new JobListQuery(JobState.Discarded, kind, afterId, limit), cancellationToken).ConfigureAwait(false);
            found.AddRange(page.Where(j => queue is null || j.Queue == queue).Take(limit - found.Count));
            if (page.Count < limit)
            {
                break;
            }

            afterId = page[^1].Id;
        }

        return found;
    }

    private async Task<DeadLetterActionResult> RedriveAsync(IReadOnlyList<Job> candidates, CancellationToken cancellationToken)
    {
        var done = new List<long>();
        var refused = new List<RefusedItem>();
        foreach (var job in candidates)
        {
            var reason = await RedriveRefusalAsync(job, cancellationToken).ConfigureAwait(false);
            if (reason is not null)
            {
                refused.Add(new RefusedItem(job.Id, reason));
                continue;
            }

            try
            {
                var requeued = await engine.RequeueAsync(job.Id, cancellationToken).ConfigureAwait(false);
                if (requeued is { State: JobState.Available or JobState.Scheduled })
                {
                    done.Add(job.Id);
                }
                else
                {
                    refused.Add(new RefusedItem(job.Id, requeued is null ? "The job no longer exists." : $"The job is {requeued.State.ToStorageName()}, not a dead letter."));
                }
            }
            catch (JobUniqueKeyConflictException)
            {
                refused.Add(new RefusedItem(job.Id, "Another unfinished job holds the same unique key."));
            }
        }

        return new DeadLetterActionResult(Redrive, done, refused);
    }

    private async Task<string?> RedriveRefusalAsync(Job job, CancellationToken cancellationToken)
    {
        if (job.State != JobState.Discarded)
        {
            return $"The job is {job.State.ToStorageName()}, not a dead letter.";
        }

        if (job.Kind is not (TaskJobs.Submit or TaskJobs.Poll) || TaskIdOf(job) is not { } taskId)
        {
            return null;
        }

        var task = await tasks.TaskGetWithoutImagesAsync(taskId, cancellationToken).ConfigureAwait(false);
        return task switch
        {
            null => $"Task {taskId} no longer exists.",
            { Status: var s } when s.IsTerminal() =>
                $"Task {taskId} has ended ({s.ToWire()}); redriving its job would not start it again. Its owner may retry it (POST /api/v1/video/retry).",
            _ => null,
        };
    }

    private async Task<DeadLetterActionResult> PurgeAsync(IReadOnlyList<Job> candidates, CancellationToken cancellationToken)
    {
        var refused = candidates.Where(j => j.State != JobState.Discarded)
            .Select(j => new RefusedItem(j.Id, $"The job is {j.State.ToStorageName()}, not a dead letter.")).ToList();
        var asked = candidates.Where(j => j.State == JobState.Discarded).Select(j => j.Id).ToList();
        var deleted = await jobs.JobDeleteDiscardedAsync(asked, cancellationToken).ConfigureAwait(false);
        refused.AddRange(asked.Except(deleted).Select(id => new RefusedItem(id, "The job was no longer a dead letter.")));
        return new DeadLetterActionResult(Purge, [.. deleted.Order()], refused);
    }

    private Task<AuditEntry> AuditAsync(string actor, string action, string target, DeadLetterActionResult result, CancellationToken cancellationToken)
    {
        var verb = action == Redrive ? "redriven" : "purged";
        var detail = result.Done.Count > 0 || result.Refused.Count == 0
            ? $"{result.Done.Count} {verb}" + (result.Done.Count is > 0 and <= 10 ? $" ({string.Join(", ", result.Done)})" : string.Empty)
            : "0 " + verb;
        if (result.Refused.Count > 0)
        {
            detail += $"; {result.Refused.Count} refused: {result.Refused[0].Reason}";
        }

        return admin.AuditAppendAsync(new NewAuditEntry(time.GetUtcNow(), actor, action, target, detail), cancellationToken);
    }
}
