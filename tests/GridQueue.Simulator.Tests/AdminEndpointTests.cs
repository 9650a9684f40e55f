using System.Net;
using Xunit;

namespace GridQueue.Simulator.Tests;

public sealed class AdminEndpointTests
{
    [Fact]
    public async Task Stats_AfterSubmits_CountsTotalAndPerPrompt()
    {
        await using var simulator = await TestSimulator.StartAsync();
        await simulator.SubmitTaskAsync("a red fox");
        await simulator.SubmitTaskAsync("a red fox");
        await simulator.SubmitTaskAsync("Ocean Waves");

        var stats = await simulator.StatsAsync();

        Assert.Equal(3, stats.GetProperty("submissions").GetInt32());
        Assert.Equal(0, stats.GetProperty("dropped_responses").GetInt32());
        Assert.Equal(0, stats.GetProperty("accepted_then_failed").GetInt32());
        var byPrompt = stats.GetProperty("by_prompt");
        Assert.Equal(2, byPrompt.GetProperty("a red fox").GetInt32());
        Assert.Equal(1, byPrompt.GetProperty("Ocean Waves").GetInt32());
        Assert.Equal(2, simulator.Host.State.SubmissionsByPrompt()["a red fox"]);
    }

    [Fact]
    public async Task PutFaults_WithServerErrors_ChangesBehaviourUntilReplaced()
    {
        await using var simulator = await TestSimulator.StartAsync();
        await simulator.SubmitTaskAsync();

        using (var put = await simulator.Client.PutAsync(new Uri("_simulator/faults", UriKind.Relative), TestSimulator.Json("""{"server_error_rate": 1}""")))
        {
            var body = await TestSimulator.ReadJsonAsync(put, HttpStatusCode.OK);
            Assert.Equal(1, body.GetProperty("server_error_rate").GetDouble());
        }

        Assert.Equal(1, simulator.Host.Faults.ServerErrorRate);
        using (var failing = await simulator.SubmitAsync())
        {
            Assert.True((int)failing.StatusCode >= 500, $"got {(int)failing.StatusCode}");
        }

        using (var reset = await simulator.Client.PutAsync(new Uri("_simulator/faults", UriKind.Relative), TestSimulator.Json("{}")))
        {
            await TestSimulator.ReadJsonAsync(reset, HttpStatusCode.OK);
        }

        await simulator.SubmitTaskAsync();
        Assert.Equal(2, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task PutFaults_WithTimeSpansAsStringsOrSeconds_SetsThem()
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var put = await simulator.Client.PutAsync(
            new Uri("_simulator/faults", UriKind.Relative),
            TestSimulator.Json("""{"rate_limit_burst_every": "01:00:00", "rate_limit_burst_length": 3600, "rate_limit_retry_after_seconds": 7}"""));
        await TestSimulator.ReadJsonAsync(put, HttpStatusCode.OK);

        Assert.Equal(TimeSpan.FromHours(1), simulator.Host.Faults.RateLimitBurstEvery);
        Assert.Equal(TimeSpan.FromHours(1), simulator.Host.Faults.RateLimitBurstLength);
        using var limited = await simulator.SubmitAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task PutFaults_WithTheAcceptThenErrorSettings_SetsThemAndShowsThem()
    {
        await using var simulator = await TestSimulator.StartAsync();

        using (var put = await simulator.Client.PutAsync(
            new Uri("_simulator/faults", UriKind.Relative),
            TestSimulator.Json("""
                {"accept_then_error_rate": 1, "accept_then_error_statuses": [502], "slow_submit_creates_first": true,
                 "rate_limit_retry_after_http_date": "Fri, 31 Dec 9999 23:59:59 GMT"}
                """)))
        {
            await TestSimulator.ReadJsonAsync(put, HttpStatusCode.OK);
        }

        var faults = simulator.Host.Faults;
        Assert.Equal(1, faults.AcceptThenErrorRate);
        Assert.Equal([502], faults.AcceptThenErrorStatuses);
        Assert.True(faults.SlowSubmitCreatesFirst);
        Assert.Equal("Fri, 31 Dec 9999 23:59:59 GMT", faults.RateLimitRetryAfterHttpDate);

        using (var failing = await simulator.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.BadGateway, failing.StatusCode);
        }

        using var get = await simulator.Client.GetAsync(new Uri("_simulator/faults", UriKind.Relative));
        var body = await TestSimulator.ReadJsonAsync(get, HttpStatusCode.OK);
        Assert.Equal([502], body.GetProperty("accept_then_error_statuses").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1, (await simulator.StatsAsync()).GetProperty("accepted_then_failed").GetInt32());
    }

    [Fact]
    public async Task GetFaults_ByDefault_ShowsTheDefaultAcceptThenErrorStatuses()
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var get = await simulator.Client.GetAsync(new Uri("_simulator/faults", UriKind.Relative));

        var body = await TestSimulator.ReadJsonAsync(get, HttpStatusCode.OK);
        Assert.Equal([500, 502, 504], body.GetProperty("accept_then_error_statuses").EnumerateArray().Select(e => e.GetInt32()));
        Assert.False(body.GetProperty("slow_submit_creates_first").GetBoolean());
        Assert.Equal(0, body.GetProperty("accept_then_error_rate").GetDouble());
    }

    [Theory]
    [InlineData("""{"accept_then_error_statuses": [500, 404]}""")]
    [InlineData("""{"accept_then_error_statuses": null}""")]
    [InlineData("""{"accept_then_error_rate": 1, "accept_then_error_statuses": []}""")]
    [InlineData("""{"rate_limit_retry_after_http_date": ""}""")]
    [InlineData("""{"server_error_rat": 1}""")]
    [InlineData("""{"server_error_rate": 2}""")]
    [InlineData("""{"slow_delay": "soon"}""")]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task PutFaults_WithInvalidBody_Returns400AndKeepsTheOldFaults(string json)
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var put = await simulator.Client.PutAsync(new Uri("_simulator/faults", UriKind.Relative), TestSimulator.Json(json));

        var body = await TestSimulator.ReadJsonAsync(put, HttpStatusCode.BadRequest);
        Assert.NotEmpty(TestSimulator.ErrorMessage(body));
        Assert.Equal(SimulatorFaults.None, simulator.Host.Faults);
    }

    [Fact]
    public async Task GetFaults_AfterHostChange_ShowsTheActiveFaults()
    {
        await using var simulator = await TestSimulator.StartAsync();
        simulator.Host.Faults = new SimulatorFaults { DropSubmitRate = 0.25, SlowDelay = TimeSpan.FromSeconds(2) };

        using var response = await simulator.Client.GetAsync(new Uri("_simulator/faults", UriKind.Relative));

        var body = await TestSimulator.ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(0.25, body.GetProperty("drop_submit_rate").GetDouble());
        Assert.Equal("00:00:02", body.GetProperty("slow_delay").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"seconds": -1}""")]
    [InlineData("not json")]
    public async Task PostOutage_WithoutValidSeconds_Returns400(string json)
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var response = await simulator.Client.PostAsync(new Uri("_simulator/outage", UriKind.Relative), TestSimulator.Json(json));

        await TestSimulator.ReadJsonAsync(response, HttpStatusCode.BadRequest);
        await simulator.SubmitTaskAsync();
    }
}
