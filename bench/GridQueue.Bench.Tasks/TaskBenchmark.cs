using System.Diagnostics;
using GridQueue.Simulator;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// One run: the simulator in this process, the server as a child process on a fresh SQLite folder, one SSE stream
/// per user opened before anything is submitted, all tasks submitted, then a wait until every task has ended.
/// </summary>
internal static class TaskBenchmark
{
    public const string SimulatorKey = "sim-key";

    public static async Task<int> RunAsync(TaskBenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var serverDll = ServerLocator.Find(options.ServerDll);
        if (serverDll is null)
        {
            await Console.Error.WriteLineAsync("error: GridQueue.Server.dll not found; build it first (dotnet build -c Release) or pass --server-dll. Looked in:");
            foreach (var candidate in ServerLocator.Candidates())
            {
                await Console.Error.WriteLineAsync("  " + candidate);
            }

            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("gq-bench-tasks-").FullName;
        try
        {
            return await RunInFolderAsync(options, serverDll, folder, cancellationToken);
        }
        finally
        {
            if (options.Keep)
            {
                Report.Line($"kept: {folder}");
            }
            else
            {
                TryDelete(folder);
            }
        }
    }

    private static async Task<int> RunInFolderAsync(TaskBenchOptions options, string serverDll, string folder, CancellationToken cancellationToken)
    {
        Report.Line($"GridQueue task benchmark: {options.Tasks} tasks over {options.Users} users, poll every {DurationText.Format(options.Poll)}, simulated run time {DurationText.Format(options.Duration)}");
        Report.Line($"  machine: {MachineInfo.Describe()}");

        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { ApiKey = SimulatorKey, Duration = options.Duration, FailureRate = options.FailureRate, Seed = 1 },
            cancellationToken: cancellationToken);
        await using var server = await ServerProcess.StartAsync(serverDll, folder, ServerEnvironment(options, folder, simulator.BaseAddress), cancellationToken);
        Report.Line($"  server: pid {server.Pid}, {serverDll} ({MachineInfo.ServerGcMode(serverDll)}), engine MaxWorkers {options.Workers}, SQLite in {folder}");
        foreach (var (name, value) in options.ServerEnvironment)
        {
            Report.Line($"  server setting: {name}={value}");
        }

        await using var sampler = new ProcessSampler(server.Pid, ProcessSampler.ReadTicksPerSecond());
        using var apiHandler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) };
        using var api = new HttpClient(apiHandler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        using var streamHandler = new SocketsHttpHandler();
        using var streamClient = new HttpClient(streamHandler) { BaseAddress = server.Address, Timeout = Timeout.InfiniteTimeSpan };

        if (options.WarmupTasks > 0)
        {
            var warm = await Warmup.RunAsync(api, streamClient, options, cancellationToken);
            Report.Line($"  warm-up: {Math.Min(options.WarmupTasks, options.Tasks)} tasks submitted, polled once and cancelled in {Report.Seconds(warm)} (not counted)");
        }

        var users = await TaskSubmitter.SignInAsync(api, TaskSubmitter.UserIds(options.Users), cancellationToken);
        var runClock = new Stopwatch();
        var tracker = new TaskTracker(options.Tasks, runClock);
        var streams = users.Select(u => new SseStream(streamClient, u, tracker, runClock)).ToArray();
        var outcome = new RunOutcome { Options = options, Tracker = tracker, Streams = streams };
        try
        {
            await Parallel.ForEachAsync(streams, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (s, ct) => await s.OpenAsync(ct));
            var idle = sampler.Take();
            outcome.ServerAtReady = sampler.Summarize(TimeSpan.Zero, idle);

            var submitter = new TaskSubmitter(api, tracker);
            outcome.Submitter = submitter;
            var clientCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            var runStart = sampler.Take();
            var pollsAtStart = simulator.State.StatusQueries;
            runClock.Start();
            await submitter.SubmitAllAsync(users, options.Tasks, options.SubmitParallel, cancellationToken);
            outcome.SubmitTime = runClock.Elapsed;
            var submitEnd = sampler.Take();
            var pollsAtSubmitEnd = simulator.State.StatusQueries;
            Report.Line($"  submitted {tracker.Accepted} tasks in {Report.Seconds(outcome.SubmitTime)}; waiting up to {DurationText.Format(options.EffectiveTimeout)} for them to end");

            outcome.AllEnded = await WaitAllEndedAsync(tracker, server, options.EffectiveTimeout, cancellationToken);
            outcome.RunTime = runClock.Elapsed;
            var runEnd = sampler.Take();
            outcome.ClientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuStart;
            outcome.Server = sampler.Summarize(runStart, runEnd);
            outcome.ServerAfterSubmit = sampler.Summarize(submitEnd, runEnd);
            var pollsAtEnd = simulator.State.StatusQueries;
            outcome.Polls = pollsAtEnd - pollsAtStart;
            outcome.PollsAfterSubmit = pollsAtEnd - pollsAtSubmitEnd;
            outcome.UpstreamSubmissions = simulator.State.Submissions;
            if (!outcome.AllEnded)
            {
                outcome.Lost = await LostTasks.ExplainAsync(api, users, tracker, cancellationToken);
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }

        tracker.CountUnknown();
        if (options.SamplesCsv is { } csv)
        {
            SampleCsv.Write(csv, streams.SelectMany(s => s.Samples));
        }

        RunReport.Print(outcome);
        return outcome.Succeeded ? 0 : 1;
    }

    private static Dictionary<string, string> ServerEnvironment(TaskBenchOptions options, string folder, Uri simulator)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__ConnectionString"] = $"Data Source={Path.Combine(folder, "gridqueue.db")}",
            ["Auth__Mode"] = "dev",
            ["Auth__AllowDevMode"] = "true",
            ["Api__GeneratePerMinute"] = "0",
            ["Api__ActionsPerMinute"] = "0",
            ["Tasks__MaxRunningPerUser"] = "0",
            ["Tasks__PollInterval"] = options.Poll.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Providers__Default"] = "t8star",
            ["Providers__T8Star__BaseUrl"] = simulator.ToString(),
            ["Providers__T8Star__ApiKey"] = SimulatorKey,
            ["GridQueue__Engine__MaxWorkers"] = options.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in options.ServerEnvironment)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static async Task<bool> WaitAllEndedAsync(TaskTracker tracker, ServerProcess server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var lastReport = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var left = timeout - deadline.Elapsed;
            var wait = left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
            if (await Task.WhenAny(tracker.AllEnded, Task.Delay(wait, cancellationToken)) == tracker.AllEnded)
            {
                return true;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (server.HasExited)
            {
                await Console.Error.WriteLineAsync($"error: the server exited during the run; see {server.LogPath}");
                return false;
            }

            if (lastReport.Elapsed >= TimeSpan.FromSeconds(10))
            {
                lastReport.Restart();
                Report.Line($"  ... {tracker.Ended} of {tracker.Accepted} ended");
            }
        }

        return tracker.AllEnded.IsCompleted;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file clean-up.
        }
    }
}
