using System.Globalization;
using System.Text.Json.Serialization;
using GridQueue.Engine.Jobs;
using GridQueue.Tasks.Model;

namespace GridQueue.Tasks.Webhooks;

/// <summary>The engine job that delivers one task end to its webhook.</summary>
public static class WebhookJobs
{
    public const string Deliver = "webhook.deliver";

    /// <summary>
    /// The delivery of <paramref name="ended"/>'s end to <paramref name="url"/>. The task is kept in the args as it
    /// ended (without its images, which never change and are read at delivery), so every redelivery sends the same
    /// body, whatever happens to the task later (a retry of a failed task ends again with a delivery of its own).
    /// </summary>
    public static NewJob NewDelivery(VideoTask ended, string url, int maxAttempts)
    {
        ArgumentNullException.ThrowIfNull(ended);
        var id = WebhookId(ended);
        return NewJob.Create(Deliver, new WebhookDeliveryArgs(ended.Id, ended.Attempt, id, url, TaskJson.SerializeForLog(ended))) with
        {
            MaxAttempts = maxAttempts,
            UniqueKey = $"{Deliver}:{id}",
        };
    }

    /// <summary>
    /// The <c>webhook-id</c>: one per task end (task and attempt), the same on every redelivery, so a receiver
    /// drops the duplicates an at-least-once delivery may bring.
    /// </summary>
    public static string WebhookId(VideoTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return string.Create(CultureInfo.InvariantCulture, $"msg_{task.Id}_{task.Attempt}");
    }
}

/// <summary>Args of a webhook delivery; <see cref="Task"/> is the task object as the event log stores it.</summary>
public sealed record WebhookDeliveryArgs(
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("webhook_id")] string WebhookId,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("task")] string Task);
