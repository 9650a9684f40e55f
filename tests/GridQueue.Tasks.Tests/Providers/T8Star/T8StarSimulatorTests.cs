using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GridQueue.Simulator;
using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Providers.T8Star;
using Xunit;

namespace GridQueue.Tasks.Tests.Providers.T8Star;

/// <summary>Shared steps of the tests that drive the provider against the real simulator over loopback HTTP.</summary>
internal static class SimulatorSteps
{
    public const string ServerKey = SimulatorOptions.DefaultApiKey;

    public static ProviderSubmitRequest Submit(string prompt, string? apiKey = null) =>
        new(new VideoSpec("sora-2", prompt, "16:9", 10, false, []), "idem-" + prompt, apiKey);

    public static Task<SimulatorHost> StartAsync(TimeSpan? duration = null, double failureRate = 0, SimulatorFaults? faults = null, string[]? extraKeys = null) =>
        SimulatorHost.StartAsync(new SimulatorOptions
        {
            Duration = duration ?? TimeSpan.FromSeconds(1),
            FailureRate = failureRate,
            Seed = 7,
            Faults = faults ?? SimulatorFaults.None,
            ExtraApiKeys = extraKeys ?? [],
        });

    /// <summary>Polls every 100 ms until the task ends; checks on the way that progress never goes back.</summary>
    public static async Task<(ProviderStatus Final, IReadOnlyList<ProviderStatus> Seen)> PollUntilDoneAsync(
        IVideoProvider provider, string id, string? apiKey = null)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var seen = new List<ProviderStatus>();
        while (true)
        {
            var status = await provider.GetStatusAsync(new ProviderCallRequest(id, apiKey), limit.Token);
            if (seen.Count > 0)
            {
                Assert.True(status.Progress >= seen[^1].Progress, $"progress went back from {seen[^1].Progress} to {status.Progress}");
            }

            seen.Add(status);
            if (status.State is UpstreamState.Succeeded or UpstreamState.Failed)
            {
                return (status, seen);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), limit.Token);
        }
    }

    /// <summary>A loopback port nothing listens on.</summary>
    public static Uri ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}

/// <summary>Whole task lives and key handling against the simulator.</summary>
public sealed class T8StarSimulatorLifecycleTests
{
    [Fact]
    public async Task SubmitThenPoll_HealthyUpstream_SucceededWithVideoUrl()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var submitted = await client.Provider.SubmitAsync(SimulatorSteps.Submit("a fox at dawn"), CancellationToken.None);
        var (final, seen) = await SimulatorSteps.PollUntilDoneAsync(client.Provider, submitted.UpstreamTaskId);

        Assert.Equal(UpstreamState.Succeeded, final.State);
        Assert.Equal(100, final.Progress);
        Assert.StartsWith(host.BaseAddress.AbsoluteUri + "videos/", final.VideoUrl, StringComparison.Ordinal);
        Assert.Null(final.FailReason);
        Assert.Contains(seen, s => s.State is UpstreamState.Pending or UpstreamState.Running);
        Assert.Equal(1, host.State.SubmissionsByPrompt()["a fox at dawn"]);
    }

    [Fact]
    public async Task SubmitThenPoll_FailureRateOne_FailedWithUpstreamReason()
    {
        await using var host = await SimulatorSteps.StartAsync(failureRate: 1);
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var submitted = await client.Provider.SubmitAsync(SimulatorSteps.Submit("a storm"), CancellationToken.None);
        var (final, _) = await SimulatorSteps.PollUntilDoneAsync(client.Provider, submitted.UpstreamTaskId);

        Assert.Equal(UpstreamState.Failed, final.State);
        Assert.Equal(SimulatedTask.FailureReason, final.FailReason);
        Assert.Null(final.VideoUrl);
        Assert.InRange(final.Progress, 90, 99);
    }

    [Fact]
    public async Task SubmitAsync_WrongServerKey_Permanent401WithoutKeyInMessage()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = T8StarTestClient.Create(host.BaseAddress, "wrong-server-key");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("p"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Permanent, ex.Kind);
        Assert.Equal(401, ex.StatusCode);
        Assert.StartsWith("The upstream rejected the API key (HTTP 401)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-server-key", ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Post));
        Assert.Equal(0, host.State.Submissions);
    }

    [Fact]
    public async Task SubmitAndPoll_RequestKeyFromExtraKeys_OverridesWrongServerKey()
    {
        await using var host = await SimulatorSteps.StartAsync(extraKeys: ["user-key-1"]);
        await using var client = T8StarTestClient.Create(host.BaseAddress, "wrong-server-key");

        var submitted = await client.Provider.SubmitAsync(SimulatorSteps.Submit("mine", apiKey: "user-key-1"), CancellationToken.None);
        var status = await client.Provider.GetStatusAsync(new ProviderCallRequest(submitted.UpstreamTaskId, "user-key-1"), CancellationToken.None);
        var withServerKey = await Assert.ThrowsAsync<ProviderException>(
            () => client.Provider.GetStatusAsync(new ProviderCallRequest(submitted.UpstreamTaskId, null), CancellationToken.None));

        Assert.Equal(1, host.State.Submissions);
        Assert.NotEqual(UpstreamState.Failed, status.State);
        Assert.Equal(ProviderErrorKind.Permanent, withServerKey.Kind);
        Assert.Equal(401, withServerKey.StatusCode);
    }

    [Fact]
    public async Task SubmitAsync_BlankPrompt_PermanentKeepingUpstreamMessage()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit(" "), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Permanent, ex.Kind);
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("prompt is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatusAsync_UnknownTask_Permanent404()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(
            () => client.Provider.GetStatusAsync(new ProviderCallRequest("sim-does-not-exist", null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Permanent, ex.Kind);
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Get));
    }
}

/// <summary>Faults the simulator injects, and what the provider makes of them.</summary>
public sealed class T8StarSimulatorFaultTests
{
    [Fact]
    public async Task SubmitAsync_ServerErrorRateOne_OutcomeUnknownAfterOneAttempt()
    {
        // This simulator's 5xx creates nothing, but a relay's may come after its origin made the video: the provider
        // cannot tell the two apart, so it never repeats the submit.
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults { ServerErrorRate = 1 });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("p"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.OutcomeUnknown, ex.Kind);
        Assert.InRange(ex.StatusCode ?? 0, 500, 599);
        Assert.Equal(0, host.State.Submissions);
        Assert.Single(client.Attempts.All);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task SubmitAsync_AcceptedThenServerError_OutcomeUnknownAndExactlyOneCreation(int code)
    {
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults { AcceptThenErrorRate = 1, AcceptThenErrorStatuses = [code] });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey, o => o.MaxRetries = 3);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("billed once"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.OutcomeUnknown, ex.Kind);
        Assert.Equal(code, ex.StatusCode);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Post));
        var stats = host.State.Snapshot();
        Assert.Equal(1, stats.Submissions);
        Assert.Equal(1, stats.AcceptedThenFailed);
        Assert.Equal(1, stats.ByPrompt["billed once"]);
    }

    [Fact]
    public async Task SubmitAsync_RateLimitedWithRetryAfterInTheYear9999_TransientWithADay()
    {
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults
        {
            RateLimitBurstEvery = TimeSpan.FromHours(1),
            RateLimitBurstLength = TimeSpan.FromHours(1),
            RateLimitRetryAfterHttpDate = "Fri, 31 Dec 9999 23:59:59 GMT",
        });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("p"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Equal(429, ex.StatusCode);
        Assert.Equal(T8StarProvider.MaxUpstreamRetryAfter, ex.RetryAfter);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Post));
        Assert.Equal(0, host.State.Submissions);
    }

    [Fact]
    public async Task SubmitAsync_SlowRelayThatCreatesFirst_OutcomeUnknownWithOneCreation()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey, o => o.AttemptTimeout = TimeSpan.FromSeconds(1));

        // A healthy call first, so the short attempt time-out below is spent waiting on the upstream, not on start-up.
        await client.Provider.SubmitAsync(SimulatorSteps.Submit("warm-up"), CancellationToken.None);
        host.Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromSeconds(10), SlowSubmitCreatesFirst = true };

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("slow"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.OutcomeUnknown, ex.Kind);
        Assert.Equal(2, client.Attempts.Count(HttpMethod.Post));
        Assert.Equal(1, host.State.SubmissionsByPrompt()["slow"]);
    }

    [Fact]
    public async Task GetStatusAsync_ServerErrorRateOne_TransientAfterAllAttempts()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);
        var submitted = await client.Provider.SubmitAsync(SimulatorSteps.Submit("p"), CancellationToken.None);
        host.Faults = new SimulatorFaults { ServerErrorRate = 1 };

        var ex = await Assert.ThrowsAsync<ProviderException>(
            () => client.Provider.GetStatusAsync(new ProviderCallRequest(submitted.UpstreamTaskId, null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Equal(3, client.Attempts.Count(HttpMethod.Get));
    }

    [Fact]
    public async Task GetStatusAsync_Outage_Transient503()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);
        host.StartOutage(TimeSpan.FromMinutes(1));

        var ex = await Assert.ThrowsAsync<ProviderException>(
            () => client.Provider.GetStatusAsync(new ProviderCallRequest("sim-any", null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(3, client.Attempts.Count(HttpMethod.Get));
    }

    [Fact]
    public async Task SubmitAsync_RateLimitBurstShorterThanRetries_RiddenOut()
    {
        // Bursts run from the simulator's start: the first 2 s answer 429 with Retry-After 1.
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults
        {
            RateLimitBurstEvery = TimeSpan.FromHours(1),
            RateLimitBurstLength = TimeSpan.FromSeconds(2),
            RateLimitRetryAfterSeconds = 1,
        });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey, o => o.MaxRetries = 3);

        var submitted = await client.Provider.SubmitAsync(SimulatorSteps.Submit("patient"), CancellationToken.None);

        Assert.NotEmpty(submitted.UpstreamTaskId);
        Assert.Equal(1, host.State.Submissions);
        var attempts = client.Attempts.All;
        Assert.Equal(200, attempts[^1].StatusCode);
        Assert.All(attempts.Take(attempts.Count - 1), a => Assert.Equal(429, a.StatusCode));
        Assert.True(attempts.Count >= 2, "the submit should have met the burst at least once");
    }

    [Fact]
    public async Task SubmitAsync_RateLimitedLongerThanInCallWait_TransientWithRetryAfter()
    {
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults
        {
            RateLimitBurstEvery = TimeSpan.FromHours(1),
            RateLimitBurstLength = TimeSpan.FromHours(1),
            RateLimitRetryAfterSeconds = 30,
        });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("p"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Equal(429, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Post));
    }

    [Fact]
    public async Task SubmitAsync_ResponseDropped_OutcomeUnknownAfterExactlyOneSubmission()
    {
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults { DropSubmitRate = 1 });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("lost"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.OutcomeUnknown, ex.Kind);
        Assert.Equal(1, host.State.Submissions);
        Assert.Equal(1, host.State.DroppedResponses);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Post));
    }

    [Fact]
    public async Task SubmitAsync_ConnectionRefused_TransientAfterRetries()
    {
        // A loopback port nobody listens on: the handler reports ConnectionError, the one proof nothing was sent.
        await using var client = T8StarTestClient.Create(SimulatorSteps.ClosedPort(), SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("p"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Null(ex.StatusCode);
        Assert.Equal(3, client.Attempts.Count(HttpMethod.Post)); // nothing was sent, so repeating is safe
    }

    [Fact]
    public async Task GetStatusAsync_ConnectionRefused_Transient()
    {
        await using var client = T8StarTestClient.Create(SimulatorSteps.ClosedPort(), SimulatorSteps.ServerKey);

        var ex = await Assert.ThrowsAsync<ProviderException>(
            () => client.Provider.GetStatusAsync(new ProviderCallRequest("t1", null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
    }

    [Fact]
    public async Task SubmitAsync_SlowerThanAttemptTimeout_OutcomeUnknownWithOneAttempt()
    {
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromSeconds(3) });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey, o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("slow"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.OutcomeUnknown, ex.Kind);
        Assert.Equal(1, client.Attempts.Count(HttpMethod.Post));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"took {watch.Elapsed}");

        // The simulator's slow fault waits before it creates the task and gives up with the caller, so at most the one
        // attempt can have created a task.
        Assert.InRange(host.State.Submissions, 0, 1);
    }

    [Fact]
    public async Task GetStatusAsync_SlowerThanAttemptTimeout_TransientAfterAllAttempts()
    {
        await using var host = await SimulatorSteps.StartAsync(faults: new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromSeconds(3) });
        await using var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey, o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));

        var ex = await Assert.ThrowsAsync<ProviderException>(
            () => client.Provider.GetStatusAsync(new ProviderCallRequest("sim-any", null), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Equal(3, client.Attempts.Count(HttpMethod.Get));
    }

    [Fact]
    public async Task SubmitAsync_CallerCancels_OperationCanceled()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = await WarmedUpClientAsync(host);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Provider.SubmitAsync(SimulatorSteps.Submit("p"), cancel.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Equal(2, client.Attempts.Count(HttpMethod.Post)); // the warm-up and the cancelled one
    }

    [Fact]
    public async Task GetStatusAsync_CallerCancels_OperationCanceled()
    {
        await using var host = await SimulatorSteps.StartAsync();
        await using var client = await WarmedUpClientAsync(host);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.Provider.GetStatusAsync(new ProviderCallRequest("sim-any", null), cancel.Token));

        Assert.Equal(1, client.Attempts.Count(HttpMethod.Get));
    }

    /// <summary>
    /// A client that has made one healthy call, after which every request to <paramref name="host"/> is slow. Without
    /// the warm-up, building the client's pipeline on a loaded machine can outlast a short cancellation, and the call
    /// is cancelled before any attempt is made.
    /// </summary>
    private static async Task<T8StarTestClient> WarmedUpClientAsync(SimulatorHost host)
    {
        var client = T8StarTestClient.Create(host.BaseAddress, SimulatorSteps.ServerKey);
        await client.Provider.SubmitAsync(SimulatorSteps.Submit("warm-up"), CancellationToken.None);
        host.Faults = new SimulatorFaults { SlowRate = 1, SlowDelay = TimeSpan.FromSeconds(10) };
        return client;
    }
}
