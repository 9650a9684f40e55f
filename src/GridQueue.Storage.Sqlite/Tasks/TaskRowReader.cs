using System.Text.Json;
using GridQueue.Tasks.Model;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite.Tasks;

/// <summary>Maps gq_tasks rows to <see cref="VideoTask"/> and back (column order: TaskSqlText.TaskColumns).</summary>
internal static class TaskRowReader
{
    /// <summary>How many columns <see cref="Read"/> reads; a query may add its own after them.</summary>
    public const int ColumnCount = 23;

    /// <summary>Reads every row of <paramref name="command"/> as a task.</summary>
    public static async Task<List<VideoTask>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var tasks = new List<VideoTask>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tasks.Add(Read(reader));
        }

        return tasks;
    }

    /// <summary>The running-task count for one user (when given) or one provider.</summary>
    public static string CountRunningSql(string? userId) =>
        userId is not null ? TaskSqlText.TaskCountRunningByUser : TaskSqlText.TaskCountRunningByProvider;

    /// <summary>Binds the parameter of <see cref="CountRunningSql"/>.</summary>
    public static void BindCountRunning(SqliteParameterCollection parameters, string? userId, string? provider)
    {
        if (userId is not null)
        {
            parameters.AddWithValue("@user_id", userId);
        }
        else
        {
            parameters.AddWithValue("@provider", provider ?? throw new ArgumentException("Name a user or a provider.", nameof(provider)));
        }
    }

    /// <summary>
    /// A task with its images: a query that joins gq_task_images puts them right after the task columns, as
    /// <see cref="TaskJson.SerializeImages"/> wrote them.
    /// </summary>
    public static VideoTask ReadWithImages(SqliteDataReader r) => Read(r).WithImages(ParseImages(r.GetString(ColumnCount)));

    /// <summary>The images as stored in gq_task_images.</summary>
    public static string[] ParseImages(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    /// <summary>A task without its images (<see cref="VideoTask.ImagesLoaded"/> false): what handlers need.</summary>
    public static VideoTask Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        UserId = r.GetString(1),
        Provider = r.GetString(2),
        Model = r.GetString(3),
        Prompt = r.GetString(4),
        AspectRatio = r.GetString(5),
        Duration = r.GetInt32(6),
        Hd = r.GetInt64(7) != 0,
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
        StartedAt = r.IsDBNull(15) ? null : UnixTime.FromMs(r.GetInt64(15)),
        ProtectedApiKey = r.IsDBNull(16) ? null : r.GetString(16),
        UsesOwnApiKey = r.GetInt64(17) != 0,
        JobId = r.IsDBNull(18) ? null : r.GetInt64(18),
        Version = r.GetInt64(19),
        CreatedAt = UnixTime.FromMs(r.GetInt64(20)),
        UpdatedAt = UnixTime.FromMs(r.GetInt64(21)),
        CompletedAt = r.IsDBNull(22) ? null : UnixTime.FromMs(r.GetInt64(22)),
    };

    /// <summary>Binds every column as a parameter named after it (the images are written apart, once).</summary>
    public static void Bind(SqliteParameterCollection p, VideoTask t)
    {
        p.AddWithValue("@id", t.Id);
        p.AddWithValue("@user_id", t.UserId);
        p.AddWithValue("@provider", t.Provider);
        p.AddWithValue("@model", t.Model);
        p.AddWithValue("@prompt", t.Prompt);
        p.AddWithValue("@aspect_ratio", t.AspectRatio);
        p.AddWithValue("@duration", t.Duration);
        p.AddWithValue("@hd", t.Hd ? 1 : 0);
        p.AddWithValue("@status", t.Status.ToWire());
        p.AddWithValue("@progress", t.Progress);
        p.AddWithValue("@video_url", (object?)t.VideoUrl ?? DBNull.Value);
        p.AddWithValue("@error_message", (object?)t.ErrorMessage ?? DBNull.Value);
        p.AddWithValue("@attempt", t.Attempt);
        p.AddWithValue("@upstream_task_id", (object?)t.UpstreamTaskId ?? DBNull.Value);
        p.AddWithValue("@submit_state", SubmitStateName(t.SubmitState));
        p.AddWithValue("@started_at", t.StartedAt is { } s ? UnixTime.ToMs(s) : DBNull.Value);
        p.AddWithValue("@api_key", (object?)t.ProtectedApiKey ?? DBNull.Value);
        p.AddWithValue("@uses_own_api_key", t.UsesOwnApiKey ? 1 : 0);
        p.AddWithValue("@job_id", t.JobId is { } j ? j : DBNull.Value);
        p.AddWithValue("@version", t.Version);
        p.AddWithValue("@created_at", UnixTime.ToMs(t.CreatedAt));
        p.AddWithValue("@updated_at", UnixTime.ToMs(t.UpdatedAt));
        p.AddWithValue("@completed_at", t.CompletedAt is { } c ? UnixTime.ToMs(c) : DBNull.Value);
    }

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
