using System.Collections.Concurrent;
using System.Globalization;

namespace GridQueue.Simulator;

/// <summary>What became of one task-end callback.</summary>
internal enum CallbackResult
{
    Sent,
    Dropped,
    Failed,
}

/// <summary>
/// Calls a submit's <c>notify_hook</c> once, when its task ends, with the task's status document as the body (the
/// upstream format leaves the payload undocumented; relays send the status). The one background activity of the
/// simulator: a timer per task with a hook, on the simulator's clock. The <see cref="SimulatorFaults.CallbackDropRate"/>
/// and <see cref="SimulatorFaults.CallbackDelay"/> in force when the task ends decide whether and when it is sent;
/// <see cref="SimulatorFaults.CallbackEarly"/>, in force at the submit, sends it before the end.
/// </summary>
internal sealed partial class CallbackSender : IAsyncDisposable
{
    // A callback is sent just after the end, so that a status query the callback prompts sees the end even where
    // the end time falls between two whole progress percents.
    private static readonly TimeSpan AfterEnd = TimeSpan.FromMilliseconds(1);

    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConcurrentDictionary<string, ITimer> pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly SimulatorState state;
    private readonly FaultInjector faults;
    private readonly SimulatorRandom random;
    private readonly TimeProvider time;
    private readonly ILogger<CallbackSender> logger;

    public CallbackSender(SimulatorState state, FaultInjector faults, SimulatorRandom random, TimeProvider time, ILogger<CallbackSender> logger)
    {
        this.state = state;
        this.faults = faults;
        this.random = random;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>
    /// Arranges the callback of <paramref name="task"/> if it has a usable hook (an absolute http or https URL);
    /// <paramref name="videoBase"/> is the address the submit reached, for the video link in the body.
    /// </summary>
    public void Schedule(SimulatedTask task, string videoBase)
    {
        if (!Uri.TryCreate(task.NotifyHook, UriKind.Absolute, out var hook) || (hook.Scheme != Uri.UriSchemeHttp && hook.Scheme != Uri.UriSchemeHttps))
        {
            return;
        }

        var sendAt = task.EndsAt + AfterEnd - faults.Faults.CallbackEarly;
        var wait = sendAt - time.GetUtcNow();
        var timer = time.CreateTimer(_ => _ = FireAsync(task, hook, videoBase, sendAt), null, wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
        pending[task.Id] = timer;
    }

    private async Task FireAsync(SimulatedTask task, Uri hook, string videoBase, DateTimeOffset sendAt)
    {
        if (pending.TryRemove(task.Id, out var timer))
        {
            await timer.DisposeAsync();
        }

        // Timers can fire a few milliseconds early (their clock is coarser than a millisecond on Linux): a callback
        // sent before the end would prompt a poll that still sees the task running. Wait out the rest first.
        for (var early = sendAt - time.GetUtcNow(); early > TimeSpan.Zero; early = sendAt - time.GetUtcNow())
        {
            try
            {
                await Task.Delay(early, time, stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }

        var active = faults.Faults;
        if (random.Chance(active.CallbackDropRate))
        {
            state.CountCallback(CallbackResult.Dropped);
            return;
        }

        try
        {
            if (active.CallbackDelay > TimeSpan.Zero)
            {
                await Task.Delay(active.CallbackDelay, time, stopping.Token);
            }

            using var body = JsonContent.Create(VideoEndpoints.StatusDocument(task, task.ViewAt(time.GetUtcNow()), videoBase), options: SimulatorJson.Options);
            using var response = await http.PostAsync(hook, body, stopping.Token);
            state.CountCallback(CallbackResult.Sent);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The simulator is stopping: callbacks not yet sent are not sent.
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            state.CountCallback(CallbackResult.Failed);
            LogFailed(task.Id, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        foreach (var timer in pending.Values)
        {
            await timer.DisposeAsync();
        }

        pending.Clear();
        http.Dispose();
        stopping.Dispose();
    }

    [LoggerMessage(2, LogLevel.Warning, "Callback of task {TaskId} could not be delivered: {Reason}")]
    private partial void LogFailed(string taskId, string reason);
}
