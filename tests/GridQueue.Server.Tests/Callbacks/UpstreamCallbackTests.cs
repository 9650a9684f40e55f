using System.Net;
using GridQueue.Server.Testing;
using GridQueue.Simulator;

namespace GridQueue.Server.Tests.Callbacks;

/// <summary>
/// Upstream callbacks end to end: the t8star provider sends a notify_hook, GridQueue.Simulator calls it when the
/// task ends, and the server polls that task at once. The poll interval is ten minutes, so a task that ends within
/// a test was polled because of its callback; counts and rows are compared, never durations.
/// </summary>
public sealed class UpstreamCallbackTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private RunningServer _server = null!;
    private HttpClient _client = null!;
    private HttpClient _upstream = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromSeconds(2) });
        _server = await CallbackServer.StartAsync(_simulator);
        _client = await _server.CreateClientAsync("alice");
        _upstream = new HttpClient(); // an upstream's call carries no token of ours
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _upstream.Dispose();
        await _server.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task SimulatorCallback_EndsTheTaskWithOnePoll()
    {
        var created = await _client.GenerateAsync(TaskApi.Body("called back"));

        var done = await _client.WaitForStatusAsync(created.Id(), "succeeded");

        var upstream = CallbackServer.Upstream(_simulator, done);
        Assert.NotNull(upstream.NotifyHook);
        Assert.StartsWith($"{_server.Address}api/v1/callbacks/t8star/{created.Id()}/", upstream.NotifyHook, StringComparison.Ordinal);
        Assert.Equal(1, upstream.StatusQueries); // the callback's poll, not the ten-minute one
        Assert.Equal(1, await CountAsync(s => s.CallbacksSent, 1)); // counted once the server's answer is back, which may be after the poll
        var token = upstream.NotifyHook[(upstream.NotifyHook.LastIndexOf('/') + 1)..];
        Assert.DoesNotContain(_server.ErrorLog.All, line => line.Contains(token, StringComparison.Ordinal));
        Assert.NotEmpty(_server.ErrorLog.All); // the check above looked at real log output
    }

    [Fact]
    public async Task CallbackBeforeTheUpstreamShowsTheEnd_IsFollowedUp_AndTheTaskEndsWithoutItsRegularPoll()
    {
        // The upstream calls back a second before its status says the task has ended (a 2 s task): the callback's
        // poll sees it running. Only the follow-up wake-up can end it before the ten-minute poll.
        _simulator.Faults = new SimulatorFaults { CallbackEarly = TimeSpan.FromSeconds(1) };
        var created = await _client.GenerateAsync(TaskApi.Body("called back early"));

        var done = await _client.WaitForStatusAsync(created.Id(), "succeeded");

        Assert.Equal(2, CallbackServer.Upstream(_simulator, done).StatusQueries);
    }

    [Fact]
    public async Task Callback_WakesItsTaskAndNoOther()
    {
        _simulator.Faults = new SimulatorFaults { CallbackDropRate = 1 }; // the test makes the calls itself
        var woken = await CallbackServer.WaitUntilPolledAsync(_client, (await _client.GenerateAsync(TaskApi.Body("woken"))).Id());
        var other = await CallbackServer.WaitUntilPolledAsync(_client, (await _client.GenerateAsync(TaskApi.Body("left alone"))).Id());
        var wokenUpstream = CallbackServer.Upstream(_simulator, woken);
        var otherUpstream = CallbackServer.Upstream(_simulator, other);
        await CallbackServer.WaitUntilEndedUpstreamAsync(wokenUpstream);
        await CallbackServer.WaitUntilEndedUpstreamAsync(otherUpstream);
        var otherJob = await CallbackServer.PollJobAsync(_server, other.Id());

        Assert.Equal(HttpStatusCode.OK, await CallbackServer.CallAsync(_upstream, wokenUpstream.NotifyHook!));

        Assert.Equal("succeeded", (await _client.WaitForStatusAsync(woken.Id(), "succeeded")).Status());
        Assert.Equal(1, wokenUpstream.StatusQueries);
        Assert.Equal(0, otherUpstream.StatusQueries);
        Assert.Equal(other.GetProperty("updated_at").GetString(), (await _client.StatusAsync(other.Id())).GetProperty("updated_at").GetString());
        Assert.Equivalent(otherJob, await CallbackServer.PollJobAsync(_server, other.Id()), strict: true);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    public async Task Callback_AnyMethodTheUpstreamUses_Wakes(string method)
    {
        _simulator.Faults = new SimulatorFaults { CallbackDropRate = 1 };
        var task = await CallbackServer.WaitUntilPolledAsync(_client, (await _client.GenerateAsync(TaskApi.Body("method " + method))).Id());
        var upstream = CallbackServer.Upstream(_simulator, task);
        await CallbackServer.WaitUntilEndedUpstreamAsync(upstream);

        Assert.Equal(HttpStatusCode.OK, await CallbackServer.CallAsync(_upstream, upstream.NotifyHook!, new HttpMethod(method)));

        await _client.WaitForStatusAsync(task.Id(), "succeeded");
    }

    [Fact]
    public async Task ForgedOtherTasksOrStaleTokens_Are404AndChangeNothing()
    {
        _simulator.Faults = new SimulatorFaults { CallbackDropRate = 1 };
        var first = await CallbackServer.WaitUntilPolledAsync(_client, (await _client.GenerateAsync(TaskApi.Body("first"))).Id());
        var second = await CallbackServer.WaitUntilPolledAsync(_client, (await _client.GenerateAsync(TaskApi.Body("second"))).Id());
        var firstUpstream = CallbackServer.Upstream(_simulator, first);
        var secondUpstream = CallbackServer.Upstream(_simulator, second);
        await CallbackServer.WaitUntilEndedUpstreamAsync(firstUpstream);
        var firstHook = firstUpstream.NotifyHook!;
        var token = firstHook[(firstHook.LastIndexOf('/') + 1)..];
        var firstJob = await CallbackServer.PollJobAsync(_server, first.Id());
        var altered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        string[] refused =
        [
            $"{_server.Address}api/v1/callbacks/t8star/{first.Id()}/made-up",
            $"{_server.Address}api/v1/callbacks/t8star/{first.Id()}/{altered}",
            $"{_server.Address}api/v1/callbacks/t8star/{second.Id()}/{token}", // the first task's token on the second
            $"{_server.Address}api/v1/callbacks/simulator/{first.Id()}/{token}",
            $"{_server.Address}api/v1/callbacks/t8star/tsk_unknown/{token}",
        ];
        foreach (var url in refused)
        {
            Assert.Equal(HttpStatusCode.NotFound, await CallbackServer.CallAsync(_upstream, url));
        }

        Assert.Equal(0, firstUpstream.StatusQueries);
        Assert.Equal(0, secondUpstream.StatusQueries);
        Assert.Equal(first.GetProperty("updated_at").GetString(), (await _client.StatusAsync(first.Id())).GetProperty("updated_at").GetString());
        Assert.Equal(second.GetProperty("updated_at").GetString(), (await _client.StatusAsync(second.Id())).GetProperty("updated_at").GetString());
        Assert.Equivalent(firstJob, await CallbackServer.PollJobAsync(_server, first.Id()), strict: true);

        // Once the task has ended its own token is stale too.
        Assert.Equal(HttpStatusCode.OK, await CallbackServer.CallAsync(_upstream, firstHook));
        var done = await _client.WaitForStatusAsync(first.Id(), "succeeded");
        var doneJob = await CallbackServer.PollJobAsync(_server, first.Id());
        var (status, envelope) = await _upstream.PostEnvelopeAsync(firstHook);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("NOT_FOUND", envelope.ErrorCode());
        Assert.Equal(1, firstUpstream.StatusQueries);
        Assert.Equal(done.GetProperty("updated_at").GetString(), (await _client.StatusAsync(first.Id())).GetProperty("updated_at").GetString());
        Assert.Equivalent(doneJob, await CallbackServer.PollJobAsync(_server, first.Id()), strict: true);
    }

    [Fact]
    public async Task DroppedCallbacks_ShortPollInterval_EveryTaskStillEnds()
    {
        _simulator.Faults = new SimulatorFaults { CallbackDropRate = 1 };
        await using var server = await CallbackServer.StartAsync(_simulator, new Dictionary<string, string?> { ["Tasks:PollInterval"] = "00:00:00.200" });
        using var client = await server.CreateClientAsync("bob");
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await client.GenerateAsync(TaskApi.Body($"dropped {i}"))).Id());
        }

        foreach (var id in ids)
        {
            var done = await client.WaitAsync(id, t => t.IsTerminal());
            Assert.Equal("succeeded", done.Status());
            Assert.True(CallbackServer.Upstream(_simulator, done).StatusQueries > 1, "found by polling");
        }

        Assert.Equal(ids.Count, await CountAsync(s => s.CallbacksDropped, ids.Count)); // a poll may beat the timer that drops
        Assert.Equal(0, _simulator.State.CallbacksSent);
    }

    private async Task<int> CountAsync(Func<SimulatorStats, int> counter, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (counter(_simulator.State.Snapshot()) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return counter(_simulator.State.Snapshot());
    }
}
