using System.Net;
using System.Text.Json;
using Xunit;

namespace GridQueue.Simulator.Tests;

public sealed class TaskLifecycleTests
{
    private static readonly string[] StatusOrder =
    [
        SimulatedTaskStatus.NotStart, SimulatedTaskStatus.Queued, SimulatedTaskStatus.InProgress, SimulatedTaskStatus.Success,
    ];

    [Fact]
    public async Task Status_AsTimePasses_RisesThroughEveryPhaseToSuccess()
    {
        var clock = new ManualTimeProvider();
        var submittedAt = clock.GetUtcNow().ToUnixTimeSeconds();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(10) }, clock);
        var taskId = await simulator.SubmitTaskAsync();

        var fresh = await simulator.StatusAsync(taskId);
        Assert.Equal(taskId, fresh.GetProperty("task_id").GetString());
        Assert.Equal("simulator", fresh.GetProperty("platform").GetString());
        Assert.Equal("simulator-videos", fresh.GetProperty("action").GetString());
        Assert.Equal(SimulatedTaskStatus.NotStart, fresh.GetProperty("status").GetString());
        Assert.Equal("", fresh.GetProperty("fail_reason").GetString());
        Assert.Equal(submittedAt, fresh.GetProperty("submit_time").GetInt64());
        Assert.Equal(0, fresh.GetProperty("start_time").GetInt64());
        Assert.Equal(0, fresh.GetProperty("finish_time").GetInt64());
        Assert.Equal("0%", fresh.GetProperty("progress").GetString());
        Assert.Equal(JsonValueKind.Null, fresh.GetProperty("data").ValueKind);

        clock.Advance(TimeSpan.FromSeconds(0.7));
        var queued = await simulator.StatusAsync(taskId);
        Assert.Equal(SimulatedTaskStatus.Queued, queued.GetProperty("status").GetString());
        Assert.Equal("0%", queued.GetProperty("progress").GetString());

        clock.Advance(TimeSpan.FromSeconds(2));
        var running = await simulator.StatusAsync(taskId);
        Assert.Equal(SimulatedTaskStatus.InProgress, running.GetProperty("status").GetString());
        Assert.Equal("18%", running.GetProperty("progress").GetString());
        Assert.Equal(submittedAt + 1, running.GetProperty("start_time").GetInt64());
        Assert.Equal(JsonValueKind.Null, running.GetProperty("data").ValueKind);

        clock.Advance(TimeSpan.FromSeconds(5));
        var later = await simulator.StatusAsync(taskId);
        Assert.Equal("74%", later.GetProperty("progress").GetString());

        clock.Advance(TimeSpan.FromSeconds(3));
        var done = await simulator.StatusAsync(taskId);
        Assert.Equal(SimulatedTaskStatus.Success, done.GetProperty("status").GetString());
        Assert.Equal("100%", done.GetProperty("progress").GetString());
        Assert.Equal(submittedAt + 10, done.GetProperty("finish_time").GetInt64());
        Assert.Equal($"{simulator.Host.BaseAddress}videos/{taskId}.mp4", done.GetProperty("data").GetProperty("output").GetString());
    }

    [Fact]
    public async Task Status_InRealTime_ReachesSuccessInOrderAndTheOutputServesVideo()
    {
        // Four seconds, so that even a first status query slowed by a loaded machine (a cold start in a parallel
        // test run took over a second) comes while the task is in progress.
        await using var simulator = await TestSimulator.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(4) });
        var taskId = await simulator.SubmitTaskAsync();

        var seen = new List<string>();
        var progress = new List<int>();
        JsonElement last;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            Assert.True(DateTime.UtcNow < deadline, $"Still not done after 30 s; seen {string.Join(", ", seen)}");
            last = await simulator.StatusAsync(taskId);
            var status = last.GetProperty("status").GetString()!;
            if (seen.Count == 0 || seen[^1] != status)
            {
                seen.Add(status);
            }

            progress.Add(int.Parse(last.GetProperty("progress").GetString()!.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture));
            await Task.Delay(20);
        }
        while (last.GetProperty("status").GetString() != SimulatedTaskStatus.Success);

        // The exact phase boundaries are checked on a manual clock; a loaded machine may poll too late for the short
        // NOT_START and QUEUED windows here, but never skips the long IN_PROGRESS one or goes backwards.
        Assert.Contains(SimulatedTaskStatus.InProgress, seen);
        Assert.Equal(seen.OrderBy(s => Array.IndexOf(StatusOrder, s)), seen);
        Assert.Equal(progress.Order(), progress);
        Assert.Equal("100%", last.GetProperty("progress").GetString());

        var output = new Uri(last.GetProperty("data").GetProperty("output").GetString()!);
        using var video = await simulator.Client.GetAsync(output);
        Assert.Equal(HttpStatusCode.OK, video.StatusCode);
        Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await video.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Status_WithFailureRateOne_EndsInFailureWithReasonAndNoData()
    {
        var clock = new ManualTimeProvider();
        var options = new SimulatorOptions { Duration = TimeSpan.FromSeconds(10), FailureRate = 1 };
        await using var simulator = await TestSimulator.StartAsync(options, clock);
        var taskId = await simulator.SubmitTaskAsync();

        clock.Advance(TimeSpan.FromSeconds(5));
        var running = await simulator.StatusAsync(taskId);
        Assert.Equal(SimulatedTaskStatus.InProgress, running.GetProperty("status").GetString());

        clock.Advance(TimeSpan.FromSeconds(6));
        var failed = await simulator.StatusAsync(taskId);
        Assert.Equal(SimulatedTaskStatus.Failure, failed.GetProperty("status").GetString());
        Assert.Contains("content moderation", failed.GetProperty("fail_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("data").ValueKind);
        Assert.NotEqual(0, failed.GetProperty("finish_time").GetInt64());
        var percent = int.Parse(failed.GetProperty("progress").GetString()!.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(percent, 90, 99);

        using var video = await simulator.Client.GetAsync(new Uri($"videos/{taskId}.mp4", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, video.StatusCode);
    }

    [Fact]
    public async Task Status_WithFailureRateOneInRealTime_EndsInFailure()
    {
        var options = new SimulatorOptions { Duration = TimeSpan.FromSeconds(1), FailureRate = 1 };
        await using var simulator = await TestSimulator.StartAsync(options);
        var taskId = await simulator.SubmitTaskAsync();

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var failed = await simulator.StatusAsync(taskId);

        Assert.Equal(SimulatedTaskStatus.Failure, failed.GetProperty("status").GetString());
        Assert.NotEmpty(failed.GetProperty("fail_reason").GetString()!);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task Status_OfUnknownTask_Returns404WithMessage()
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var response = await simulator.GetStatusAsync("sim-does-not-exist");

        var body = await TestSimulator.ReadJsonAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("sim-does-not-exist", TestSimulator.ErrorMessage(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Video_OfUnfinishedTask_Returns404()
    {
        await using var simulator = await TestSimulator.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromMinutes(1) });
        var taskId = await simulator.SubmitTaskAsync();

        using var response = await simulator.Client.GetAsync(new Uri($"videos/{taskId}.mp4", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task State_AfterSubmit_HoldsTheTaskAsSent()
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var response = await simulator.Client.PostAsync(
            new Uri("v2/videos/generations", UriKind.Relative),
            TestSimulator.Json("""{"prompt":"waves","model":"veo3","images":["data:image/png;base64,iVBORw0KGgo="],"hd":true,"duration":8,"notify_hook":"http://127.0.0.1:1/hook"}"""));
        var taskId = (await TestSimulator.ReadJsonAsync(response, HttpStatusCode.OK)).GetProperty("task_id").GetString()!;

        Assert.True(simulator.Host.State.TryGetTask(taskId, out var task));
        Assert.Equal("waves", task.Prompt);
        Assert.Equal("veo3", task.Model);
        Assert.Equal(1, task.ImageCount);
        Assert.True(task.Hd);
        Assert.Equal("8", task.ClipDuration);
        Assert.Equal("http://127.0.0.1:1/hook", task.NotifyHook);
        Assert.False(task.WillFail);
    }
}
