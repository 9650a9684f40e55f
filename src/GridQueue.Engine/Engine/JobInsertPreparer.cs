using System.Text.Json;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Engine.Storage;

namespace GridQueue.Engine.Engine;

/// <summary>Validates a caller's <see cref="NewJob"/> and resolves its defaults into a row to insert.</summary>
internal static class JobInsertPreparer
{
    public static JobInsertRow Prepare(NewJob job, JobEngineOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        RequireName(job.Kind, nameof(NewJob.Kind));
        RequireName(job.Queue, nameof(NewJob.Queue));
        if (job.UniqueKey is not null)
        {
            RequireName(job.UniqueKey, nameof(NewJob.UniqueKey));
        }

        if (job.FairnessKey is not null)
        {
            RequireName(job.FairnessKey, nameof(NewJob.FairnessKey));
        }

        if (job.Priority is < NewJob.HighestPriority or > NewJob.LowestPriority)
        {
            throw new ArgumentOutOfRangeException(
                nameof(job), job.Priority, $"Priority must be between {NewJob.HighestPriority} and {NewJob.LowestPriority}.");
        }

        var maxAttempts = job.MaxAttempts ?? options.DefaultMaxAttempts;
        if (maxAttempts is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(job), maxAttempts, "MaxAttempts must be between 1 and 1000.");
        }

        RequireJson(job.Args);

        var scheduledAt = job.ScheduledAt ?? now;
        var state = scheduledAt > now ? JobState.Scheduled : JobState.Available;
        return new JobInsertRow(
            job.Kind, job.Queue, job.Args, job.Priority, state, maxAttempts, scheduledAt, now, job.UniqueKey, job.FairnessKey);
    }

    private static void RequireName(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > NewJob.MaxNameLength)
        {
            throw new ArgumentException(
                $"{field} must be 1–{NewJob.MaxNameLength} characters and not blank (got '{value}').", field);
        }
    }

    private static void RequireJson(string? args)
    {
        if (string.IsNullOrWhiteSpace(args))
        {
            throw new ArgumentException("Args must be JSON text, e.g. {} for none.", nameof(NewJob.Args));
        }

        try
        {
            using var _ = JsonDocument.Parse(args);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"Args is not valid JSON: {ex.Message}", nameof(NewJob.Args), ex);
        }
    }
}
