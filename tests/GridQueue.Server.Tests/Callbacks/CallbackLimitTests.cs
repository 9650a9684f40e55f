using System.Net;
using GridQueue.Server.Testing;
using GridQueue.Simulator;

namespace GridQueue.Server.Tests.Callbacks;

/// <summary>
/// Callback storms: the upstream task runs for an hour, so every wake-up is a poll that finds it still running, and
/// the number of polls is what the storm costs.
/// </summary>
public sealed class CallbackLimitTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() =>
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Duration = TimeSpan.FromHours(1) });

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task StormOfValidCallbacks_MostGet429AndTheTaskIsPolledABoundedNumberOfTimes()
    {
        await using var server = await CallbackServer.StartAsync(_simulator, new Dictionary<string, string?>
        {
            ["Callbacks:PerTaskPerMinute"] = "3",
            ["Callbacks:PerSecond"] = "0",
        });
        using var client = await server.CreateClientAsync("alice");
        using var upstream = new HttpClient();
        var task = await CallbackServer.WaitUntilPolledAsync(client, (await client.GenerateAsync(TaskApi.Body("storm"))).Id());
        var hook = CallbackServer.Upstream(_simulator, task);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            answers.Add(await CallbackServer.CallAsync(upstream, hook.NotifyHook!));
        }

        var woken = answers.Count(a => a == HttpStatusCode.OK);
        Assert.InRange(woken, 1, 6); // 3 a minute: two windows at most while the storm lasts
        Assert.Equal(200 - woken, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        var job = await WaitUntilWaitingAsync(server, task.Id());
        Assert.InRange(hook.StatusQueries, 1, woken); // a wake while the poll runs adds nothing
        Assert.Equal("running", (await client.StatusAsync(task.Id())).Status());
        Assert.True(job.ScheduledAt > DateTimeOffset.UtcNow.AddMinutes(5), "the next poll is the regular one again");
    }

    [Fact]
    public async Task FloodOfMadeUpCallbacks_IsLimitedForAllTasksTogether()
    {
        await using var server = await CallbackServer.StartAsync(_simulator, new Dictionary<string, string?> { ["Callbacks:PerSecond"] = "1" });
        using var upstream = new HttpClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            CallbackServer.CallAsync(upstream, $"{server.Address}api/v1/callbacks/t8star/tsk_{i}/made-up")));

        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.TooManyRequests or HttpStatusCode.NotFound, $"answered {a}"));
    }

    private static async Task<GridQueue.Engine.Jobs.Job> WaitUntilWaitingAsync(RunningServer server, string taskId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var job = await CallbackServer.PollJobAsync(server, taskId);
            if (job.State == GridQueue.Engine.Jobs.JobState.Scheduled && job.ScheduledAt > DateTimeOffset.UtcNow)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the poll job of {taskId} did not go back to waiting");
            await Task.Delay(50);
        }
    }
}
