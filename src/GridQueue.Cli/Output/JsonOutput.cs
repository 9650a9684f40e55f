using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GridQueue.Client;

namespace GridQueue.Cli.Output;

/// <summary>
/// --json output: the contract's snake_case objects (docs/api.md), written field by field so the names, the status
/// values and the timestamp format are exactly the contract's, whatever the client's own serializer does.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void WriteTask(TextWriter output, VideoTask task) => Write(output, Indented, json => Task(json, task));

    /// <summary>One task on one line (JSON Lines), for the stream of updates from watch.</summary>
    public static void WriteTaskLine(TextWriter output, VideoTask task) => Write(output, Compact, json => Task(json, task));

    public static void WritePage(TextWriter output, TaskPage page) => Write(output, Indented, json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("items");
        foreach (var task in page.Items)
        {
            Task(json, task);
        }

        json.WriteEndArray();
        json.WriteString("next_cursor", page.NextCursor);
        json.WriteEndObject();
    });

    public static void WriteToken(TextWriter output, string token) => Write(output, Indented, json =>
    {
        json.WriteStartObject();
        json.WriteString("token", token);
        json.WriteEndObject();
    });

    /// <summary>{"error": {"code", "message", "details"}}, the contract's error object.</summary>
    public static void WriteError(TextWriter output, string code, string message, IReadOnlyDictionary<string, string> details) => Write(output, Indented, json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("code", code);
        json.WriteString("message", message);
        json.WriteStartObject("details");
        foreach (var (field, text) in details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            json.WriteString(field, text);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    });

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Task(Utf8JsonWriter json, VideoTask task)
    {
        json.WriteStartObject();
        json.WriteString("task_id", task.TaskId);
        json.WriteString("user_id", task.UserId);
        json.WriteString("provider", task.Provider);
        json.WriteString("model", task.Model);
        json.WriteString("prompt", task.Prompt);
        json.WriteString("aspect_ratio", task.AspectRatio);
        json.WriteNumber("duration", task.Duration);
        json.WriteBoolean("hd", task.Hd);
        json.WriteStartArray("images");
        foreach (var image in task.Images)
        {
            json.WriteStringValue(image);
        }

        json.WriteEndArray();
        json.WriteString("status", TaskPrinter.StatusName(task.Status));
        json.WriteNumber("progress", task.Progress);
        json.WriteString("video_url", task.VideoUrl);
        json.WriteString("error_message", task.ErrorMessage);
        json.WriteNumber("attempt", task.Attempt);
        json.WriteString("upstream_task_id", task.UpstreamTaskId);
        json.WriteString("created_at", Timestamp(task.CreatedAt));
        json.WriteString("updated_at", Timestamp(task.UpdatedAt));
        json.WriteString("completed_at", task.CompletedAt is { } completed ? Timestamp(completed) : null);
        json.WriteEndObject();
    }

    private static void Write(TextWriter output, JsonWriterOptions options, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            body(json);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }
}
