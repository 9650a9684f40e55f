using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace GridQueue.Server.Testing;

/// <summary>Calls of the contract's task routes, returning the parsed envelope.</summary>
public static class TaskApi
{
    public static object Body(string prompt = "a red kite over the sea", string model = "sora-2", string? provider = null) =>
        provider is null ? new { prompt, model } : new { prompt, model, provider };

    public static async Task<JsonElement> GenerateAsync(this HttpClient client, object body, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/video/generate") { Content = JsonContent.Create(body) };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var (status, envelope) = await SendEnvelopeAsync(client, request);
        Assert.True(status == HttpStatusCode.OK, $"generate answered {(int)status}: {envelope}");
        return envelope.GetProperty("data");
    }

    public static async Task<(HttpStatusCode Status, JsonElement Envelope)> SendEnvelopeAsync(this HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task<(HttpStatusCode Status, JsonElement Envelope)> PostEnvelopeAsync(this HttpClient client, string path, string? json = null) =>
        client.SendEnvelopeAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") });

    public static Task<(HttpStatusCode Status, JsonElement Envelope)> GetEnvelopeAsync(this HttpClient client, string path) =>
        client.SendEnvelopeAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public static async Task<JsonElement> StatusAsync(this HttpClient client, string taskId)
    {
        var (status, envelope) = await client.GetEnvelopeAsync($"api/v1/video/status/{taskId}");
        Assert.True(status == HttpStatusCode.OK, $"status answered {(int)status}: {envelope}");
        return envelope.GetProperty("data");
    }

    /// <summary>Reads the task until <paramref name="until"/> holds (the status route; SSE tests use SseClient).</summary>
    public static async Task<JsonElement> WaitAsync(this HttpClient client, string taskId, Func<JsonElement, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var task = await client.StatusAsync(taskId);
            if (until(task))
            {
                return task;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Task {taskId} did not reach the expected state in time; last seen: {task}");
            }

            await Task.Delay(50);
        }
    }

    public static Task<JsonElement> WaitForStatusAsync(this HttpClient client, string taskId, string status, TimeSpan? timeout = null) =>
        client.WaitAsync(taskId, t => t.GetProperty("status").GetString() == status, timeout);

    public static string Id(this JsonElement task) => task.GetProperty("task_id").GetString()!;

    public static string Status(this JsonElement task) => task.GetProperty("status").GetString()!;

    public static bool IsTerminal(this JsonElement task) => task.Status() is "succeeded" or "failed" or "cancelled";

    public static string ErrorCode(this JsonElement envelope) => envelope.GetProperty("error").GetProperty("code").GetString()!;
}
