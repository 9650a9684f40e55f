using System.Globalization;
using GridQueue.Tasks.Model;

namespace GridQueue.Server.Api;

/// <summary>Success responses carrying tasks.</summary>
public static class TaskResponses
{
    /// <summary>The task with its ETag (its version: every change increments it).</summary>
    public static EnvelopeResult Task(VideoTask task) =>
        EnvelopeResult.Success(w => TaskJson.Write(w, task)) with { ETag = ETag(task) };

    public static string ETag(VideoTask task) => string.Create(CultureInfo.InvariantCulture, $"\"{task.Version}\"");

    public static EnvelopeResult Page(IReadOnlyList<VideoTask> items, string? nextCursor) =>
        EnvelopeResult.Success(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            foreach (var task in items)
            {
                TaskJson.Write(w, task);
            }

            w.WriteEndArray();
            if (nextCursor is null)
            {
                w.WriteNull("next_cursor");
            }
            else
            {
                w.WriteString("next_cursor", nextCursor);
            }

            w.WriteEndObject();
        });
}
