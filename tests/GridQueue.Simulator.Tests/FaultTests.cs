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
    public async Task Submit_WithAcceptThenErrorRateOne_AnswersAServerErrorButCreatesATaskThatProgresses()
    {
        var clock = new ManualTimeProvider();
        var options = new SimulatorOptions { Duration = TimeSpan.FromSeconds(10), Faults = new SimulatorFaults { AcceptThenErrorRate = 1 } };
        await using var simulator = await TestSimulator.StartAsync(options, clock);

        for (var i = 0; i < 3; i++)
        {
            using var submit = await simulator.SubmitAsync("billed anyway");
            Assert.Contains((int)submit.StatusCode, new[] { 500, 502, 504 });
            var body = await TestSimulator.ReadJsonAsync(submit, submit.StatusCode);
            Assert.NotEmpty(TestSimulator.ErrorMessage(body));
            Assert.False(body.TryGetProperty("task_id", out _));
        }

        var stats = await simulator.StatsAsync();
        Assert.Equal(3, stats.GetProperty("submissions").GetInt32());
        Assert.Equal(3, stats.GetProperty("accepted_then_failed").GetInt32());
        Assert.Equal(0, stats.GetProperty("dropped_responses").GetInt32());
        Assert.Equal(3, stats.GetProperty("by_prompt").GetProperty("billed anyway").GetInt32());
        Assert.Equal(3, simulator.Host.State.AcceptedThenFailed);

        // The tasks nobody was told about run like any other.
        simulator.Host.Faults = SimulatorFaults.None;
        clock.Advance(TimeSpan.FromSeconds(11));
        foreach (var task in simulator.Host.State.Tasks())
        {
            Assert.Equal("SUCCESS", (await simulator.StatusAsync(task.Id)).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Submit_WithAcceptThenErrorStatusesGiven_AnswersOnlyThose()
    {
        var options = new SimulatorOptions
        {
            Seed = 3,
            Faults = new SimulatorFaults { AcceptThenErrorRate = 1, AcceptThenErrorStatuses = [503, 599] },
        };
        await using var simulator = await TestSimulator.StartAsync(options);

        var codes = new HashSet<int>();
        for (var i = 0; i < 20; i++)
        {
            using var submit = await simulator.SubmitAsync();
            codes.Add((int)submit.StatusCode);
        }

        Assert.Equal([503, 599], codes.Order());
        Assert.Equal(20, simulator.Host.State.AcceptedThenFailed);
        Assert.Equal(20, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Submit_WithAcceptThenErrorRateHalf_MixesErrorsAndAnswersAndCountsEachCreation()
    {
        var options = new SimulatorOptions { Seed = 11, Faults = new SimulatorFaults { AcceptThenErrorRate = 0.5 } };
        await using var simulator = await TestSimulator.StartAsync(options);

        var answered = 0;
        for (var i = 0; i < 20; i++)
        {
            using var submit = await simulator.SubmitAsync("half");
            answered += submit.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        var stats = await simulator.StatsAsync();
        Assert.InRange(answered, 1, 19);
        Assert.Equal(20 - answered, stats.GetProperty("accepted_then_failed").GetInt32());
        Assert.Equal(20, stats.GetProperty("submissions").GetInt32());
        Assert.Equal(20, stats.GetProperty("by_prompt").GetProperty("half").GetInt32());
    }

    [Fact]
    public async Task Stats_ByPrompt_CountsEveryCreationWhateverTheAnswer()
    {
        await using var simulator = await TestSimulator.StartAsync();

        simulator.Host.Faults = new SimulatorFaults { DropSubmitRate = 1 };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => simulator.SubmitAsync("same prompt"));
        simulator.Host.Faults = new SimulatorFaults { AcceptThenErrorRate = 1 };
        using (var failed = await simulator.SubmitAsync("same prompt"))
        {
            Assert.True((int)failed.StatusCode >= 500, $"got {(int)failed.StatusCode}");
        }

        simulator.Host.Faults = new SimulatorFaults { ServerErrorRate = 1 };
        using (var refused = await simulator.SubmitAsync("same prompt"))
        {
            Assert.True((int)refused.StatusCode >= 500, $"got {(int)refused.StatusCode}");
        }

        simulator.Host.Faults = SimulatorFaults.None;
        await simulator.SubmitTaskAsync("same prompt");

        var stats = await simulator.StatsAsync();
        Assert.Equal(3, stats.GetProperty("submissions").GetInt32());
        Assert.Equal(1, stats.GetProperty("dropped_responses").GetInt32());
        Assert.Equal(1, stats.GetProperty("accepted_then_failed").GetInt32());
        Assert.Equal(3, stats.GetProperty("by_prompt").GetProperty("same prompt").GetInt32());
    }

    [Fact]
    public async Task Submit_SlowWithCreatesFirst_HasItsTaskWhileTheAnswerIsStillPending()
    {
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromSeconds(2), SlowSubmitCreatesFirst = true },
        };
        await using var simulator = await TestSimulator.StartAsync(options);

        var pending = simulator.SubmitAsync("slow relay");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (simulator.Host.State.Submissions == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, simulator.Host.State.Submissions);
        Assert.False(pending.IsCompleted, "the task should exist before the slow answer");
        using var response = await pending;
        var body = await TestSimulator.ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(Assert.Single(simulator.Host.State.Tasks()).Id, body.GetProperty("task_id").GetString());
    }

    [Fact]
    public async Task Submit_SlowWithCreatesFirstAndAbandonedByTheCaller_LeavesACreatedTask()
    {
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromMinutes(5), SlowSubmitCreatesFirst = true },
        };
        await using var simulator = await TestSimulator.StartAsync(options);
        using var impatient = simulator.NewClient(SimulatorOptions.DefaultApiKey);
        impatient.Timeout = TimeSpan.FromSeconds(1);

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => TestSimulator.SubmitAsync(impatient, "given up"));

        var stats = await simulator.StatsAsync();
        Assert.Equal(1, stats.GetProperty("submissions").GetInt32());
        Assert.Equal(1, stats.GetProperty("by_prompt").GetProperty("given up").GetInt32());
        simulator.Host.Faults = SimulatorFaults.None;
        await simulator.SubmitTaskAsync();
        Assert.Equal(2, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Status_SlowWithCreatesFirst_StillWaitsAndCreatesNothing()
    {
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromMilliseconds(300), SlowSubmitCreatesFirst = true },
        };
        await using var simulator = await TestSimulator.StartAsync(options);
        var taskId = await simulator.SubmitTaskAsync();

        var watch = Stopwatch.StartNew();
        await simulator.StatusAsync(taskId);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {watch.Elapsed}");
        Assert.Equal(1, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Submit_SlowWithCreatesFirstAndAServerError_WaitsThenFailsWithoutCreating()
    {
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromMilliseconds(300), SlowSubmitCreatesFirst = true, ServerErrorRate = 1 },
        };
        await using var simulator = await TestSimulator.StartAsync(options);

        var watch = Stopwatch.StartNew();
        using var submit = await simulator.SubmitAsync();

        Assert.Contains((int)submit.StatusCode, new[] { 500, 502, 503 });
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {watch.Elapsed}");
        Assert.Equal(0, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Submit_DuringBurstWithRetryAfterHttpDate_SendsTheDateVerbatim()
    {
        const string date = "Fri, 31 Dec 9999 23:59:59 GMT";
        var options = new SimulatorOptions
        {
            Faults = new SimulatorFaults
            {
                RateLimitBurstEvery = TimeSpan.FromHours(1),
                RateLimitBurstLength = TimeSpan.FromHours(1),
                RateLimitRetryAfterSeconds = 3,
                RateLimitRetryAfterHttpDate = date,
            },
        };
        await using var simulator = await TestSimulator.StartAsync(options);

        using var limited = await simulator.SubmitAsync();

        await TestSimulator.ReadJsonAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Equal(date, Assert.Single(limited.Headers.GetValues("Retry-After")));
        Assert.Equal(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), limited.Headers.RetryAfter?.Date);
        Assert.Equal(0, simulator.Host.State.Submissions);
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

    [Fact]
    public void Validate_WithBadAcceptThenErrorSettings_NamesEachProblem()
    {
        var problems = new SimulatorFaults { AcceptThenErrorRate = -0.5, AcceptThenErrorStatuses = [500, 404, 600, 404] }.Validate();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("AcceptThenErrorRate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("404", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("600", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WithNoAcceptThenErrorStatuses_IsAProblemOnlyWhenTheFaultIsOn()
    {
        Assert.Empty(new SimulatorFaults { AcceptThenErrorStatuses = [] }.Validate());
        Assert.Single(new SimulatorFaults { AcceptThenErrorRate = 0.1, AcceptThenErrorStatuses = [] }.Validate());
        Assert.Single(new SimulatorFaults { AcceptThenErrorStatuses = null! }.Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Fri, 31 Dec 9999\r\nX-Evil: 1")]
    public void Validate_WithUnsendableRetryAfterHttpDate_IsAProblem(string value)
    {
        var problems = new SimulatorFaults { RateLimitRetryAfterHttpDate = value }.Validate();

        Assert.Contains("RateLimitRetryAfterHttpDate", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_OfTheNewFaults_AreOff()
    {
        var faults = new SimulatorFaults();

        Assert.Equal(0, faults.AcceptThenErrorRate);
        Assert.Equal([500, 502, 504], faults.AcceptThenErrorStatuses);
        Assert.False(faults.SlowSubmitCreatesFirst);
        Assert.Null(faults.RateLimitRetryAfterHttpDate);
        Assert.Equal(SimulatorFaults.None, faults);
    }

    [Fact]
    public void Equality_ComparesTheStatusesByContent()
    {
        Assert.Equal(new SimulatorFaults { AcceptThenErrorStatuses = [502, 504] }, new SimulatorFaults { AcceptThenErrorStatuses = [502, 504] });
        Assert.Equal(SimulatorFaults.None, new SimulatorFaults { AcceptThenErrorStatuses = [500, 502, 504] });
        Assert.NotEqual(new SimulatorFaults { AcceptThenErrorStatuses = [502, 504] }, new SimulatorFaults { AcceptThenErrorStatuses = [504, 502] });
        Assert.Equal(
            new SimulatorFaults { AcceptThenErrorStatuses = [502, 504] }.GetHashCode(),
            new SimulatorFaults { AcceptThenErrorStatuses = [502, 504] }.GetHashCode());
    }

    [Fact]
    public void AcceptThenErrorStatuses_AreCopied_SoTheCallersListCannotChangeThem()
    {
        var statuses = new List<int> { 502 };
        var faults = new SimulatorFaults { AcceptThenErrorStatuses = statuses };

        statuses[0] = 404;

        Assert.Equal([502], faults.AcceptThenErrorStatuses);
        Assert.Empty(faults.Validate());
    }
}
