using System.Net.Http.Headers;
using System.Text.Json;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// For tasks that did not end in time, asks the server (GET /api/v1/video/status) whether the task is stuck or
/// ended without its event reaching the client.
/// </summary>
internal static class LostTasks
{
    private const int MaxListed = 20;

    public static async Task<IReadOnlyList<string>> ExplainAsync(HttpClient api, IReadOnlyList<BenchUser> users, TaskTracker tracker, CancellationToken cancellationToken)
    {
        var tokens = users.ToDictionary(u => u.Id, u => u.Token, StringComparer.Ordinal);
        var open = tracker.Tasks.Where(t => t.Accepted && t.EndStatus is null).ToList();
        var byServerStatus = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var task in open)
        {
            var status = await ServerStatusAsync(api, tokens[task.UserId], task.TaskId, cancellationToken);
            var group = status.Split(' ')[0];
            byServerStatus[group] = byServerStatus.GetValueOrDefault(group) + 1;
            if (lines.Count < MaxListed)
            {
                lines.Add($"{task.TaskId} ({task.UserId}): last event '{task.LastStatus}' {task.LastProgress}% after {task.Events} events; server says '{status}'");
            }
        }

        lines.Insert(0, $"{open.Count} tasks did not end in time; server status: " + string.Join(", ", byServerStatus.Select(kv => $"{kv.Key} {kv.Value}")));
        return lines;
    }

    private static async Task<string> ServerStatusAsync(HttpClient api, string token, string taskId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/v1/video/status/{taskId}", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await api.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return $"HTTP {(int)response.StatusCode}";
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var task = body.RootElement.GetProperty("data");
            return $"{task.GetProperty("status").GetString()} {task.GetProperty("progress").GetInt32()}%";
        }
        catch (HttpRequestException e)
        {
            return "unreachable: " + e.Message;
        }
    }
}
