using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// Gets dev tokens and submits the tasks (POST /api/v1/video/generate), a bounded number at once, round-robin over
/// the users. Each task has its own Idempotency-Key, so a request retried after an overload answer or a lost
/// response never makes a second task.
/// </summary>
internal sealed class TaskSubmitter(HttpClient http, TaskTracker tracker)
{
    private const int MaxAttempts = 10;
    private readonly List<double> _requestMs = [];
    private readonly Lock _lock = new();
    private readonly List<string> _errors = [];
    private int _retries;

    /// <summary>Time of each successful generate request, in milliseconds.</summary>
    public IReadOnlyList<double> RequestMs => _requestMs;

    public int Retries => Volatile.Read(ref _retries);

    /// <summary>Why submits failed for good (at most a few are kept).</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>bench-user-0001, bench-user-0002 ...</summary>
    public static IReadOnlyList<string> UserIds(int users) =>
        [.. Enumerable.Range(1, users).Select(i => string.Create(CultureInfo.InvariantCulture, $"bench-user-{i:D4}"))];

    public static async Task<BenchUser[]> SignInAsync(HttpClient http, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        var result = new BenchUser[userIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, userIds.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var id = userIds[i];
            using var response = await http.PostAsJsonAsync(new Uri("api/v1/dev/token", UriKind.Relative), new { user_id = id }, ct);
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            result[i] = new BenchUser(id, body.RootElement.GetProperty("data").GetProperty("token").GetString()!);
        });
        return result;
    }

    public Task SubmitAllAsync(IReadOnlyList<BenchUser> users, int tasks, int parallel, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, tasks),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            (i, ct) => new ValueTask(SubmitAsync(users[i % users.Count], i, ct)));

    private async Task SubmitAsync(BenchUser user, int index, CancellationToken cancellationToken)
    {
        var body = new
        {
            provider = "t8star",
            model = "sora-2",
            prompt = string.Create(CultureInfo.InvariantCulture, $"benchmark task {index + 1}: a red kite over the sea"),
            duration = 10,
        };
        string? lastError = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                Interlocked.Increment(ref _retries);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/v1/video/generate", UriKind.Relative))
            {
                Content = JsonContent.Create(body),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
            request.Headers.Add("Idempotency-Key", string.Create(CultureInfo.InvariantCulture, $"bench-{index + 1}"));
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    using var document = JsonDocument.Parse(text);
                    tracker.Accept(document.RootElement.GetProperty("data").GetProperty("task_id").GetString()!, user.Id);
                    lock (_lock)
                    {
                        _requestMs.Add(elapsed);
                    }

                    return;
                }

                lastError = $"HTTP {(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)]}";
                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway))
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = e.Message;
            }
        }

        lock (_lock)
        {
            if (_errors.Count < 10)
            {
                _errors.Add($"task {index + 1}: {lastError}");
            }
        }

        tracker.FailSubmit();
    }
}
