using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace GridQueue.Simulator.Tests;

/// <summary>
/// Task-end callbacks to a submit's notify_hook, on a fake clock: the simulator's timer fires only when the test
/// moves time, and a real HTTP receiver on loopback records what arrives.
/// </summary>
public sealed class CallbackTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTime = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Channel<(string Method, string Body)> _received = Channel.CreateUnbounded<(string, string)>();
    private WebApplication _receiver = null!;
    private string _hook = null!;
    private TestSimulator _simulator = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/hook/{id}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            await _received.Writer.WriteAsync((http.Request.Method, await reader.ReadToEndAsync()));
            return Results.Ok();
        });
        await _receiver.StartAsync();
        _hook = _receiver.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/hook/1";
        _simulator = await TestSimulator.StartAsync(new SimulatorOptions { Duration = RunTime }, _time);
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task TaskEnd_PostsTheStatusDocumentToTheHookOnce()
    {
        var id = await SubmitWithHookAsync();
        _time.Advance(RunTime / 2);
        Assert.False(_received.Reader.TryRead(out _), "no callback while the task runs");

        _time.Advance(RunTime);

        var (method, body) = await NextAsync();
        Assert.Equal("POST", method);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(id, document.RootElement.GetProperty("task_id").GetString());
        Assert.Equal("SUCCESS", document.RootElement.GetProperty("status").GetString());
        Assert.EndsWith($"/videos/{id}.mp4", document.RootElement.GetProperty("data").GetProperty("output").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(s => s.CallbacksSent, 1));
        _time.Advance(RunTime);
        Assert.Equal(0, _simulator.Host.State.Snapshot().CallbacksDropped);
    }

    [Fact]
    public async Task DropRateOne_SendsNothingAndCountsTheDrop()
    {
        _simulator.Host.Faults = new SimulatorFaults { CallbackDropRate = 1 };
        await SubmitWithHookAsync();

        _time.Advance(RunTime * 2);

        Assert.Equal(1, await CountAsync(s => s.CallbacksDropped, 1));
        Assert.Equal(0, _simulator.Host.State.CallbacksSent);
        Assert.False(_received.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Delay_SendsOnlyOnceTheDelayHasPassed()
    {
        _simulator.Host.Faults = new SimulatorFaults { CallbackDelay = TimeSpan.FromMinutes(10) };
        await SubmitWithHookAsync();
        _time.Advance(RunTime + TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromMinutes(9)); // the task ended, the delay has not passed
        Assert.Equal(0, _simulator.Host.State.CallbacksSent);
        Assert.False(_received.Reader.TryRead(out _));

        _time.Advance(TimeSpan.FromMinutes(1));

        var (_, body) = await NextAsync();
        Assert.Contains("SUCCESS", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimerFiringEarly_CallbackWaitsForTheEnd_SoThePollItPromptsSeesTheEnd()
    {
        // Timers on Linux can fire a few milliseconds early; this simulator's fire 5 ms early.
        await using var simulator = await TestSimulator.StartAsync(new SimulatorOptions { Duration = RunTime }, new EarlyTimers(_time, TimeSpan.FromMilliseconds(5)));
        await SubmitWithHookAsync(simulator);

        _time.Advance(RunTime - TimeSpan.FromMilliseconds(3)); // its timer, due 1 ms after the end, has fired
        await Task.Delay(200); // time for a callback sent now to arrive
        Assert.False(_received.Reader.TryRead(out _), "a callback came before the task ended");

        _time.Advance(TimeSpan.FromMilliseconds(5));
        var (_, body) = await NextAsync();
        Assert.Contains("SUCCESS", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidDropRate_IsRefused()
    {
        using var response = await _simulator.Client.PutAsync(new Uri("/_simulator/faults", UriKind.Relative), TestSimulator.Json("{\"callback_drop_rate\": 2}"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    private Task<string> SubmitWithHookAsync() => SubmitWithHookAsync(_simulator);

    private async Task<string> SubmitWithHookAsync(TestSimulator simulator)
    {
        using var response = await simulator.Client.PostAsJsonAsync(
            "v2/videos/generations", new { prompt = "hooked", model = "sora-2", duration = "10", notify_hook = _hook });
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("task_id").GetString()!;
    }

    private async Task<(string Method, string Body)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    // The counters move on the sender's own task after the timer fired: wait for them, failing only after a long while.
    private async Task<int> CountAsync(Func<SimulatorStats, int> counter, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (counter(_simulator.Host.State.Snapshot()) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return counter(_simulator.Host.State.Snapshot());
    }

    /// <summary>The test's clock, with timers that fire <paramref name="early"/> before they are due.</summary>
    private sealed class EarlyTimers(FakeTimeProvider clock, TimeSpan early) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            clock.CreateTimer(callback, state, dueTime > early ? dueTime - early : dueTime, period);
    }
}
