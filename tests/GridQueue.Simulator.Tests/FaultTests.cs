using System.Diagnostics;
using System.Net;
using Xunit;

namespace GridQueue.Simulator.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Submit_WithServerErrorRateOne_Returns5xxAndCreatesNothing()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var earlier = await simulator.SubmitTaskAsync();
        simulator.Host.Faults = new SimulatorFaults { ServerErrorRate = 1 };

        for (var i = 0; i < 5; i++)
        {
            using var submit = await simulator.SubmitAsync();
            Assert.Contains((int)submit.StatusCode, new[] { 500, 502, 503 });
            Assert.NotEmpty(TestSimulator.ErrorMessage(await TestSimulator.ReadJsonAsync(submit, submit.StatusCode)));

            using var status = await simulator.GetStatusAsync(earlier);
            Assert.Contains((int)status.StatusCode, new[] { 500, 502, 503 });
        }

        Assert.Equal(1, simulator.Host.State.Submissions);
        Assert.Equal(1, (await simulator.StatsAsync()).GetProperty("submissions").GetInt32());
    }

    [Fact]
    public async Task Submit_DuringRateLimitBurst_Returns429WithRetryAfterUntilTheBurstEnds()
    {
        var clock = new ManualTimeProvider();
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults
            {
                RateLimitBurstEvery = TimeSpan.FromSeconds(10),
                RateLimitBurstLength = TimeSpan.FromSeconds(2),
                RateLimitRetryAfterSeconds = 3,
            },
        };
        await using var simulator = await TestSimulator.StartAsync(options, clock);

        using (var limited = await simulator.SubmitAsync())
        {
            var body = await TestSimulator.ReadJsonAsync(limited, HttpStatusCode.TooManyRequests);
            Assert.Equal(TimeSpan.FromSeconds(3), limited.Headers.RetryAfter?.Delta);
            Assert.NotEmpty(TestSimulator.ErrorMessage(body));
        }

        clock.Advance(TimeSpan.FromSeconds(2.5));
        var taskId = await simulator.SubmitTaskAsync();

        clock.Advance(TimeSpan.FromSeconds(8));
        using (var again = await simulator.GetStatusAsync(taskId))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        }

        Assert.Equal(1, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Submit_DuringRealTimeBurst_SeesBoth429AndSuccess()
    {
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults { RateLimitBurstEvery = TimeSpan.FromMilliseconds(400), RateLimitBurstLength = TimeSpan.FromMilliseconds(200) },
        };
        await using var simulator = await TestSimulator.StartAsync(options);

        var codes = new HashSet<HttpStatusCode>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (codes.Count < 2 && DateTime.UtcNow < deadline)
        {
            using var response = await simulator.SubmitAsync();
            codes.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            }

            await Task.Delay(30);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes.Order());
    }

    [Fact]
    public async Task Submit_DuringOutage_Returns503ThenRecoversWhenItEnds()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorOptions(), clock);
        simulator.Host.StartOutage(TimeSpan.FromSeconds(30));

        using (var down = await simulator.SubmitAsync())
        {
            var body = await TestSimulator.ReadJsonAsync(down, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("outage", TestSimulator.ErrorMessage(body), StringComparison.Ordinal);
        }

        Assert.Equal(0, simulator.Host.State.Submissions);
        clock.Advance(TimeSpan.FromSeconds(30));
        await simulator.SubmitTaskAsync();
    }

    [Fact]
    public async Task Submit_DuringOutageStartedOverHttp_Returns503ThenRecovers()
    {
        await using var simulator = await TestSimulator.StartAsync();

        using (var start = await simulator.Client.PostAsync(new Uri("_simulator/outage", UriKind.Relative), TestSimulator.Json("""{"seconds": 0.5}""")))
        {
            await TestSimulator.ReadJsonAsync(start, HttpStatusCode.OK);
        }

        using (var down = await simulator.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(0.6));
        await simulator.SubmitTaskAsync();
    }

    [Fact]
    public async Task Submit_InPlannedOutageWindow_Returns503OnlyInsideIt()
    {
        var clock = new ManualTimeProvider();
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults { OutageStart = TimeSpan.FromMinutes(1), OutageDuration = TimeSpan.FromMinutes(2) },
        };
        await using var simulator = await TestSimulator.StartAsync(options, clock);

        await simulator.SubmitTaskAsync();
        clock.Advance(TimeSpan.FromMinutes(1.5));
        using (var down = await simulator.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        await simulator.SubmitTaskAsync();
        Assert.Equal(2, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Submit_WithDropSubmitRateOne_AbortsTheConnectionButCountsTheTask()
    {
        var options = new SimulatorOptions { Faults = new SimulatorFaults { DropSubmitRate = 1 } };
        await using var simulator = await TestSimulator.StartAsync(options);
        await simulator.StatsAsync();

        // The connection is already in use, as a provider's would be; the client must not quietly send the submit again.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => simulator.SubmitAsync("lost answer"));

        var stats = await simulator.StatsAsync();
        Assert.Equal(1, stats.GetProperty("submissions").GetInt32());
        Assert.Equal(1, stats.GetProperty("dropped_responses").GetInt32());
        Assert.Equal(1, stats.GetProperty("by_prompt").GetProperty("lost answer").GetInt32());
        var task = Assert.Single(simulator.Host.State.Tasks());
        Assert.Equal("lost answer", task.Prompt);
    }

    [Fact]
    public async Task Submit_WithSlowRateOne_WaitsTheDelay()
    {
        var options = new SimulatorOptions { Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromMilliseconds(300) } };
        await using var simulator = await TestSimulator.StartAsync(options);

        var watch = Stopwatch.StartNew();
        await simulator.SubmitTaskAsync();

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {watch.Elapsed}");
    }

    [Fact]
    public async Task Submit_SlowAndAbandonedByTheCaller_LeavesTheSimulatorServing()
    {
        var options = new SimulatorOptions { Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromMinutes(5) } };
        await using var simulator = await TestSimulator.StartAsync(options);
        using var impatient = simulator.NewClient(SimulatorOptions.DefaultApiKey);
        impatient.Timeout = TimeSpan.FromMilliseconds(200);

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => TestSimulator.SubmitAsync(impatient));

        simulator.Host.Faults = SimulatorFaults.None;
        await simulator.SubmitTaskAsync();
        Assert.Equal(1, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task AdminAndVideo_DuringFaults_AreNeverFaulted()
    {
        var clock = new ManualTimeProvider();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(1) }, clock);
        var taskId = await simulator.SubmitTaskAsync();
        clock.Advance(TimeSpan.FromSeconds(2));
        simulator.Host.Faults = new SimulatorFaults
        {
            ServerErrorRate = 1,
            RateLimitBurstEvery = TimeSpan.FromSeconds(1),
            RateLimitBurstLength = TimeSpan.FromSeconds(1),
        };
        simulator.Host.StartOutage(TimeSpan.FromMinutes(1));

        await simulator.StatsAsync();
        using var video = await simulator.Client.GetAsync(new Uri($"videos/{taskId}.mp4", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, video.StatusCode);
        using var faults = await simulator.Client.GetAsync(new Uri("_simulator/faults", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, faults.StatusCode);
    }

    [Fact]
    public void Validate_WithOutOfRangeValues_ListsEachProblem()
    {
        var problems = new SimulatorFaults { ServerErrorRate = 1.5, SlowDelay = TimeSpan.FromSeconds(-1) }.Validate();

        Assert.Equal(2, problems.Count);
    }
}
