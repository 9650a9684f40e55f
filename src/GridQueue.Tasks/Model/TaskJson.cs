using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace GridQueue.Tasks.Model;

/// <summary>
/// The contract's task object, written by hand so the field names, their order and the timestamp format are
/// exactly the contract's (and so the event log stores the same bytes the status route sends).
/// </summary>
public static class TaskJson
{
    public static string Serialize(VideoTask task)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, task);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter writer, VideoTask task)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(task);
        writer.WriteStartObject();
        writer.WriteString("task_id", task.Id);
        writer.WriteString("user_id", task.UserId);
        writer.WriteString("provider", task.Provider);
        writer.WriteString("model", task.Model);
        writer.WriteString("prompt", task.Prompt);
        writer.WriteString("aspect_ratio", task.AspectRatio);
        writer.WriteNumber("duration", task.Duration);
        writer.WriteBoolean("hd", task.Hd);
        writer.WriteStartArray("images");
        foreach (var image in task.Images)
        {
            writer.WriteStringValue(image);
        }

        writer.WriteEndArray();
        writer.WriteString("status", task.Status.ToWire());
        writer.WriteNumber("progress", task.Progress);
        WriteNullable(writer, "video_url", task.VideoUrl);
        WriteNullable(writer, "error_message", task.ErrorMessage);
        writer.WriteNumber("attempt", task.Attempt);
        WriteNullable(writer, "upstream_task_id", task.UpstreamTaskId);
        writer.WriteString("created_at", Timestamp(task.CreatedAt));
        writer.WriteString("updated_at", Timestamp(task.UpdatedAt));
        WriteNullable(writer, "completed_at", task.CompletedAt is { } c ? Timestamp(c) : null);
        writer.WriteEndObject();
    }

    /// <summary>ISO 8601 in UTC with milliseconds and "Z", as the contract shows.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
