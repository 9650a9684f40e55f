using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Webhooks;

/// <summary>The body of a delivery: <c>{"type":"task.ended","data":&lt;the task object&gt;}</c>.</summary>
public static class WebhookPayload
{
    public const string TaskEnded = "task.ended";

    /// <param name="loggedTask">The task as the event log stores it (<see cref="TaskJson.SerializeForLog"/>).</param>
    /// <param name="images">The task's images, put back into it.</param>
    public static string Build(string loggedTask, IReadOnlyList<string> images)
    {
        ArgumentNullException.ThrowIfNull(loggedTask);
        ArgumentNullException.ThrowIfNull(images);
        var task = EventPayload.WithImages(loggedTask, TaskJson.SerializeImages(images));
        return $"{{\"type\":\"{TaskEnded}\",\"data\":{task}}}";
    }
}
