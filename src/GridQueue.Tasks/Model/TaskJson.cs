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
    /// <summary>The task as clients get it; throws for a task read without its images, as <see cref="Write"/> does.</summary>
    public static string Serialize(VideoTask task) => ToText(w => Write(w, task), 768);

    /// <summary>
    /// The task as the event log stores it: <c>"images":[]</c> in place of the images, which never change within a
    /// task and are kept once, apart from the task row (so a task read without them may be logged).
    /// <see cref="Events.EventPayload.WithImages"/> puts them back on reading, so clients get the bytes
    /// <see cref="Serialize"/> writes.
    /// </summary>
    public static string SerializeForLog(VideoTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ToText(w => Write(w, task, includeImages: false), 768);
    }

    /// <summary>
    /// The images array exactly as <see cref="Write"/> writes it (same escaping), for storing once per task and
    /// putting back into logged events.
    /// </summary>
    public static string SerializeImages(IReadOnlyList<string> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return images.Count == 0 ? "[]" : ToText(w => WriteImages(w, images), images.Sum(i => i.Length) + 16);
    }

    /// <summary>
    /// The task as clients get it. Throws for a task read without its images (<see cref="VideoTask.ImagesLoaded"/>):
    /// it would be sent with <c>"images":[]</c>, a silent lie.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, VideoTask task) => Write(writer, task, includeImages: true);

    private static void Write(Utf8JsonWriter writer, VideoTask task, bool includeImages)
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
        writer.WritePropertyName("images");
        WriteImages(writer, includeImages ? task.RequireImages() : []);
        writer.WriteString("status", task.Status.ToWire());
        writer.WriteNumber("progress", task.Progress);
        WriteNullable(writer, "video_url", task.VideoUrl);
        WriteNullable(writer, "error_message", task.ErrorMessage);
        writer.WriteNumber("attempt", task.Attempt);
        WriteNullable(writer, "upstream_task_id", task.UpstreamTaskId);
        writer.WriteString("created_at", Timestamp(task.CreatedAt));
        writer.WriteString("updated_at", Timestamp(task.UpdatedAt));
        WriteNullable(writer, "completed_at", task.CompletedAt is { } c ? Timestamp(c) : null);
        WriteNullable(writer, "callback_url", task.CallbackUrl);
        writer.WriteEndObject();
    }

    /// <summary>ISO 8601 in UTC with milliseconds and "Z", as the contract shows.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Each image is written in segments of <see cref="ImageSegmentChars"/> characters. An image needs escaping (the
    /// default encoder writes '+' of base64 as \u002B), and Utf8JsonWriter escapes a whole string value into one
    /// buffer from the shared array pool, sized for the worst case of six characters per character: 64 MiB for an
    /// image of 4 MiB. The pool keeps such arrays per thread and per core, so after a few image uploads hundreds of
    /// megabytes stayed live (tests/GridQueue.Server.Tests/Resilience/ImageMemoryTests.cs). Segments need only a
    /// small buffer and produce the same bytes.
    /// </summary>
    private static void WriteImages(Utf8JsonWriter writer, IReadOnlyList<string> images)
    {
        writer.WriteStartArray();
        foreach (var image in images)
        {
            WriteLongString(writer, image);
        }

        writer.WriteEndArray();
    }

    /// <summary>Characters per segment of a long string value (a surrogate pair split between two is joined by the writer).</summary>
    internal const int ImageSegmentChars = 16 * 1024;

    private static void WriteLongString(Utf8JsonWriter writer, string value)
    {
        if (value.Length <= ImageSegmentChars)
        {
            writer.WriteStringValue(value);
            return;
        }

        var rest = value.AsSpan();
        while (rest.Length > ImageSegmentChars)
        {
            writer.WriteStringValueSegment(rest[..ImageSegmentChars], isFinalSegment: false);
            rest = rest[ImageSegmentChars..];
        }

        writer.WriteStringValueSegment(rest, isFinalSegment: true);
    }

    private static string ToText(Action<Utf8JsonWriter> write, int initialCapacity)
    {
        var buffer = new ArrayBufferWriter<byte>(initialCapacity);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

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
