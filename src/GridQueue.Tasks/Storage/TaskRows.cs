using System.Data.Common;
using System.Text.Json;
using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Storage;

/// <summary>
/// Maps task rows to <see cref="VideoTask"/> and back, for every SQL backend: the task columns are the same in each
/// (times as Unix milliseconds, flags read with GetBoolean, which both SQLite integers and PostgreSQL booleans answer).
/// </summary>
public static class TaskRows
{
    /// <summary>
    /// The task columns in the order <see cref="Read"/> reads them. The images are not among them: they are kept
    /// apart (gq_task_images), joined only where clients see them.
    /// </summary>
    public const string Columns =
        "id, user_id, provider, model, prompt, aspect_ratio, duration, hd, status, progress, video_url, " +
        "error_message, attempt, upstream_task_id, submit_state, started_at, api_key, uses_own_api_key, job_id, " +
        "version, created_at, updated_at, completed_at, callback_url";

    /// <summary>How many columns <see cref="Read"/> reads; a query may add its own after them.</summary>
    public const int ColumnCount = 24;

    /// <summary>Reads every row of <paramref name="command"/> as a task without its images.</summary>
    public static async Task<List<VideoTask>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var tasks = new List<VideoTask>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tasks.Add(Read(reader));
        }

        return tasks;
    }

    /// <summary>
    /// A task with its images: a query that joins gq_task_images puts them right after the task columns, as
    /// <see cref="TaskJson.SerializeImages"/> wrote them.
    /// </summary>
    public static VideoTask ReadWithImages(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return Read(r).WithImages(ParseImages(r.GetString(ColumnCount)));
    }

    /// <summary>The images as stored in gq_task_images.</summary>
    public static string[] ParseImages(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    /// <summary>A task without its images (<see cref="VideoTask.ImagesLoaded"/> false): what handlers need.</summary>
    public static VideoTask Read(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new()
        {
            Id = r.GetString(0),
            UserId = r.GetString(1),
            Provider = r.GetString(2),
            Model = r.GetString(3),
            Prompt = r.GetString(4),
            AspectRatio = r.GetString(5),
            Duration = r.GetInt32(6),
            Hd = r.GetBoolean(7),
            Images = [],
            ImagesLoaded = false,
            Status = VideoTaskStatusNames.TryParse(r.GetString(8), out var status)
                ? status
                : throw new InvalidDataException($"Task {r.GetString(0)} has an unknown status '{r.GetString(8)}'."),
            Progress = r.GetInt32(9),
            VideoUrl = r.IsDBNull(10) ? null : r.GetString(10),
            ErrorMessage = r.IsDBNull(11) ? null : r.GetString(11),
            Attempt = r.GetInt32(12),
            UpstreamTaskId = r.IsDBNull(13) ? null : r.GetString(13),
            SubmitState = ParseSubmitState(r.GetString(14)),
            StartedAt = r.IsDBNull(15) ? null : FromMs(r.GetInt64(15)),
            ProtectedApiKey = r.IsDBNull(16) ? null : r.GetString(16),
            UsesOwnApiKey = r.GetBoolean(17),
            JobId = r.IsDBNull(18) ? null : r.GetInt64(18),
            Version = r.GetInt64(19),
            CreatedAt = FromMs(r.GetInt64(20)),
            UpdatedAt = FromMs(r.GetInt64(21)),
            CompletedAt = r.IsDBNull(22) ? null : FromMs(r.GetInt64(22)),
            CallbackUrl = r.IsDBNull(23) ? null : r.GetString(23),
        };
    }

    /// <summary>
    /// Every column's value as a parameter named after it ("@id", ...), DBNull for nulls; the images are written
    /// apart, once. Each backend adds them to its own parameter collection.
    /// </summary>
    public static IEnumerable<(string Name, object Value)> Parameters(VideoTask t)
    {
        ArgumentNullException.ThrowIfNull(t);
        yield return ("@id", t.Id);
        yield return ("@user_id", t.UserId);
        yield return ("@provider", t.Provider);
        yield return ("@model", t.Model);
        yield return ("@prompt", t.Prompt);
        yield return ("@aspect_ratio", t.AspectRatio);
        yield return ("@duration", t.Duration);
        yield return ("@hd", t.Hd);
        yield return ("@status", t.Status.ToWire());
        yield return ("@progress", t.Progress);
        yield return ("@video_url", (object?)t.VideoUrl ?? DBNull.Value);
        yield return ("@error_message", (object?)t.ErrorMessage ?? DBNull.Value);
        yield return ("@attempt", t.Attempt);
        yield return ("@upstream_task_id", (object?)t.UpstreamTaskId ?? DBNull.Value);
        yield return ("@submit_state", SubmitStateName(t.SubmitState));
        yield return ("@started_at", t.StartedAt is { } s ? ToMs(s) : DBNull.Value);
        yield return ("@api_key", (object?)t.ProtectedApiKey ?? DBNull.Value);
        yield return ("@uses_own_api_key", t.UsesOwnApiKey);
        yield return ("@job_id", t.JobId is { } j ? j : DBNull.Value);
        yield return ("@version", t.Version);
        yield return ("@created_at", ToMs(t.CreatedAt));
        yield return ("@updated_at", ToMs(t.UpdatedAt));
        yield return ("@completed_at", t.CompletedAt is { } c ? ToMs(c) : DBNull.Value);
        yield return ("@callback_url", (object?)t.CallbackUrl ?? DBNull.Value);
    }

    /// <summary>Times are stored as Unix milliseconds: compact, indexable, and ordered like the times themselves.</summary>
    public static long ToMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static string SubmitStateName(SubmitState state) => state switch
    {
        SubmitState.NotSent => "not_sent",
        SubmitState.InFlight => "in_flight",
        SubmitState.Accepted => "accepted",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static SubmitState ParseSubmitState(string value) => value switch
    {
        "not_sent" => SubmitState.NotSent,
        "in_flight" => SubmitState.InFlight,
        "accepted" => SubmitState.Accepted,
        _ => throw new InvalidDataException($"Unknown submit state '{value}'."),
    };
}
