using System.Text.Json;
using GridQueue.Server.Testing;
using GridQueue.Simulator;
using GridQueue.Tasks.Jobs;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// At most one paid submission per attempt, against a simulator as mean as real relays: it makes the video and then
/// answers 500, 502 or 504, or drops the connection. Each such task reaches the upstream exactly once and fails saying
/// the outcome is unknown; only a refusal before any work (429) or a connection that was never made is sent again.
/// </summary>
public sealed class SubmitAmbiguityTests : IAsyncLifetime
{
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private readonly OwnedResources _owned = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _owned.DisposeAsync();

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task UpstreamMakesTheVideoThenAnswers5xx_SubmittedOnceAndFailsAsUnknown(int status)
    {
        var simulator = await StartSimulatorAsync(new SimulatorFaults { AcceptThenErrorRate = 1, AcceptThenErrorStatuses = [status] });
        var prompt = $"5xx {status} {_runTag}";
        var failed = await GenerateUntilEndAsync(simulator, prompt);

        Assert.True(failed.Status() == "failed", failed.ToString());
        var message = failed.GetProperty("error_message").GetString()!;
        Assert.Contains(TaskMessages.OutcomeUnknown, message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {status}", message, StringComparison.Ordinal);
        await AssertMadeOnceAsync(simulator, prompt);
        Assert.Equal(1, simulator.State.AcceptedThenFailed);
    }

    [Fact]
    public async Task UpstreamMakesTheVideoThenDropsTheConnection_SubmittedOnceAndFailsAsUnknown()
    {
        var simulator = await StartSimulatorAsync(new SimulatorFaults { DropSubmitRate = 1 });
        var prompt = $"dropped {_runTag}";
        var failed = await GenerateUntilEndAsync(simulator, prompt);

        Assert.True(failed.Status() == "failed", failed.ToString());
        Assert.Contains(TaskMessages.OutcomeUnknown, failed.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        await AssertMadeOnceAsync(simulator, prompt);
        Assert.Equal(1, simulator.State.DroppedResponses);
    }

    [Fact]
    public async Task UpstreamRefusesWith429ForAWhile_RetriedAndSucceedsWithOneCreation()
    {
        // Every request is refused for the first four seconds: longer than the quick retries inside one call, so
        // the submit job itself retries after the upstream's Retry-After.
        var simulator = await StartSimulatorAsync(new SimulatorFaults
        {
            RateLimitBurstEvery = TimeSpan.FromHours(1),
            RateLimitBurstLength = TimeSpan.FromSeconds(4),
            RateLimitRetryAfterSeconds = 1,
        });
        var prompt = $"429 {_runTag}";
        var done = await GenerateUntilEndAsync(simulator, prompt);

        Assert.True(done.Status() == "succeeded", done.ToString());
        await AssertMadeOnceAsync(simulator, prompt);
    }

    [Fact]
    public async Task NobodyListensYet_RetriedAndSucceedsWithOneCreationOnceTheUpstreamIsUp()
    {
        var port = ServerProcess.FreePort();
        var upstream = new Uri($"http://127.0.0.1:{port}/");
        var server = await StartServerAsync(upstream);
        using var client = await server.CreateClientAsync("refused-alice");
        var prompt = $"refused {_runTag}";
        var id = (await client.GenerateAsync(TaskApi.Body(prompt))).Id();
        await client.WaitForStatusAsync(id, "running");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // connections refused: retried in the call, then by the job

        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(1) }, $"http://127.0.0.1:{port}");
        _owned.Add(simulator);
        var done = await client.WaitAsync(id, t => t.IsTerminal(), TimeSpan.FromSeconds(30));
        Assert.True(done.Status() == "succeeded", done.ToString());
        await AssertMadeOnceAsync(simulator, prompt);
    }

    private async Task<JsonElement> GenerateUntilEndAsync(SimulatorHost simulator, string prompt)
    {
        var server = await StartServerAsync(simulator.BaseAddress);
        using var client = await server.CreateClientAsync("ambiguity-alice");
        var id = (await client.GenerateAsync(TaskApi.Body(prompt))).Id();
        var ended = await client.WaitAsync(id, t => t.IsTerminal(), TimeSpan.FromSeconds(30));
        Assert.Empty(server.ErrorLog.Errors);
        return ended;
    }

    /// <summary>Exactly one video was made for the prompt, and none more after a while (no late resubmission).</summary>
    private static async Task AssertMadeOnceAsync(SimulatorHost simulator, string prompt)
    {
        Assert.Equal(1, simulator.State.SubmissionsByPrompt().GetValueOrDefault(prompt));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, simulator.State.SubmissionsByPrompt().GetValueOrDefault(prompt));
    }

    private async Task<SimulatorHost> StartSimulatorAsync(SimulatorFaults faults)
    {
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(1), Faults = faults });
        _owned.Add(simulator);
        return simulator;
    }

    private async Task<RunningServer> StartServerAsync(Uri upstream)
    {
        var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Default"] = "t8star",
            ["Providers:T8Star:BaseUrl"] = upstream.ToString(),
            ["Providers:T8Star:ApiKey"] = SimulatorOptions.DefaultApiKey,
            ["Tasks:PollInterval"] = "00:00:00.250",
            ["GridQueue:Engine:RetryBaseDelay"] = "00:00:00.500",
            ["GridQueue:Engine:RetryMaxDelay"] = "00:00:01",
        });
        _owned.Add(server);
        return server;
    }
}
