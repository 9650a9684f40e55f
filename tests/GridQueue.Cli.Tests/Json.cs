using System.Text.Json;

namespace GridQueue.Cli.Tests;

/// <summary>Checks of --json output against the contract.</summary>
public static class Json
{
    public static readonly string[] TaskFields =
    [
        "task_id", "user_id", "provider", "model", "prompt", "aspect_ratio", "duration", "hd", "images", "status",
        "progress", "video_url", "error_message", "attempt", "upstream_task_id", "created_at", "updated_at", "completed_at",
    ];

    /// <summary>Stdout is exactly one JSON document; returns its root.</summary>
    public static JsonElement Parse(CliResult result)
    {
        try
        {
            using var document = JsonDocument.Parse(result.Out);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({e.Message}):\n{result}");
        }
    }

    /// <summary>Every field of the contract's task object is there (and no other), with the contract's JSON types.</summary>
    public static void AssertTask(JsonElement task)
    {
        Assert.Equal(JsonValueKind.Object, task.ValueKind);
        Assert.Equal(TaskFields.Order(StringComparer.Ordinal), task.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.StartsWith("tsk_", task.GetProperty("task_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, task.GetProperty("progress").ValueKind);
        Assert.Equal(JsonValueKind.Number, task.GetProperty("duration").ValueKind);
        Assert.Equal(JsonValueKind.Array, task.GetProperty("images").ValueKind);
        Assert.Contains(task.GetProperty("status").GetString(), new[] { "queued", "running", "succeeded", "failed", "cancelled" });
        Assert.EndsWith("Z", task.GetProperty("created_at").GetString(), StringComparison.Ordinal);
    }
}
