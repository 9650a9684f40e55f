using System.Diagnostics;
using System.Net.Http.Headers;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// Warms the freshly started server before anything is measured, so the figures are those of a running service
/// rather than of its first seconds (code compiled on first use, pools and caches filled): a separate user submits a
/// few tasks over its own stream, waits until each has been submitted upstream and polled once, then cancels them
/// and waits for the cancelled events. None of this counts in the results.
/// </summary>
internal static class Warmup
{
    public const int DefaultTasks = 20;

    public static async Task<TimeSpan> RunAsync(HttpClient api, HttpClient streams, TaskBenchOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var count = Math.Min(options.WarmupTasks, options.Tasks);
        var user = (await TaskSubmitter.SignInAsync(api, ["bench-warmup"], cancellationToken))[0];
        var tracker = new TaskTracker(count, clock);
        await using var stream = new SseStream(streams, user, tracker, clock);
        await stream.OpenAsync(cancellationToken);
        await new TaskSubmitter(api, tracker).SubmitAllAsync([user], count, Math.Min(count, options.SubmitParallel), cancellationToken);

        // Submitted upstream and polled once: queued, started, accepted and one progress event (or an end) each.
        var deadline = options.Poll + options.Duration + TimeSpan.FromSeconds(30);
        while (clock.Elapsed < deadline && tracker.Tasks.Count(t => t.LastProgress > 0 || t.EndStatus is not null) < count)
        {
            await Task.Delay(50, cancellationToken);
        }

        foreach (var task in tracker.Tasks.Where(t => t.EndStatus is null))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/v1/video/cancel/{task.TaskId}", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
            using var response = await api.SendAsync(request, cancellationToken);
        }

        await Task.WhenAny(tracker.AllEnded, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken));
        return clock.Elapsed;
    }
}
