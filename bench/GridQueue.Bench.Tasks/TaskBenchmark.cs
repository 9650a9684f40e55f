using System.Diagnostics;
using GridQueue.Bench.Shared;
using GridQueue.Simulator;
using Npgsql;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// One run: the simulator in this process, the server as child processes (one on a fresh SQLite folder, or one or
/// more on a fresh PostgreSQL database), one SSE stream per user opened before anything is submitted, all tasks
/// submitted, then a wait until every task has ended.
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
        PostgresScratchDatabase? database = null;
        try
        {
            if (options.Store == TaskBenchOptions.Postgres)
            {
                database = PostgresScratchDatabase.Create(options.ConnectionString!);
            }

            return await RunInFolderAsync(options, serverDll, folder, database, cancellationToken);
        }
        finally
        {
            if (options.Keep)
            {
                Report.Line($"kept: {folder}");
                if (database is not null)
                {
                    Report.Line($"kept: PostgreSQL database {database.Name}");
                }
            }
            else
            {
                TryDelete(folder);
                if (database is not null)
                {
                    await DropAsync(database);
                }
            }
        }
    }

    private static async Task<int> RunInFolderAsync(
        TaskBenchOptions options, string serverDll, string folder, PostgresScratchDatabase? database, CancellationToken cancellationToken)
    {
        Report.Line($"GridQueue task benchmark: {options.Tasks} tasks over {options.Users} users, poll every {DurationText.Format(options.Poll)}, simulated run time {DurationText.Format(options.Duration)}");
        Report.Line($"  machine: {MachineInfo.Describe()}");

        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { ApiKey = SimulatorKey, Duration = options.Duration, FailureRate = options.FailureRate, Seed = 1 },
            cancellationToken: cancellationToken);
        await using var nodes = await ServerNodes.StartAsync(
            serverDll, folder, options.Nodes, ServerSettings.For(options, folder, simulator.BaseAddress, database), cancellationToken);
        DescribeNodes(options, serverDll, folder, database, nodes);

        var submitNode = nodes.Submitter;
        using var apiHandler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) };
        using var api = new HttpClient(apiHandler) { BaseAddress = submitNode.Process.Address, Timeout = TimeSpan.FromSeconds(60) };

        if (options.WarmupTasks > 0)
        {
            var warm = await Warmup.RunAsync(api, nodes.StreamNodeFor(0).Streams, options, cancellationToken);
            Report.Line($"  warm-up: {Math.Min(options.WarmupTasks, options.Tasks)} tasks submitted, polled once and cancelled in {Report.Seconds(warm)} (not counted)");
        }

        var users = await TaskSubmitter.SignInAsync(api, TaskSubmitter.UserIds(options.Users), cancellationToken);
        var runClock = new Stopwatch();
        var tracker = new TaskTracker(options.Tasks, runClock);
        var streams = users.Select((u, i) => new SseStream(nodes.StreamNodeFor(i).Streams, u, tracker, runClock)).ToArray();
        var outcome = new RunOutcome
        {
            Options = options,
            Tracker = tracker,
            Streams = streams,
            Clustered = nodes.Clustered,
            StreamNodes = [.. users.Select((_, i) => nodes.StreamNodeFor(i).Number)],
        };
        try
        {
            await Parallel.ForEachAsync(streams, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (s, ct) => await s.OpenAsync(ct));
            var idle = nodes.Mark();
            outcome.NodesAtReady = nodes.Summarize([.. idle.Select(_ => TimeSpan.Zero)], idle);

            var submitter = new TaskSubmitter(api, tracker);
            outcome.Submitter = submitter;
            var clientCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            var runStart = nodes.Mark();
            var pollsAtStart = simulator.State.StatusQueries;
            runClock.Start();
            await submitter.SubmitAllAsync(users, options.Tasks, options.SubmitParallel, cancellationToken);
            outcome.SubmitTime = runClock.Elapsed;
            var submitEnd = nodes.Mark();
            var pollsAtSubmitEnd = simulator.State.StatusQueries;
            Report.Line($"  submitted {tracker.Accepted} tasks in {Report.Seconds(outcome.SubmitTime)}; waiting up to {DurationText.Format(options.EffectiveTimeout)} for them to end");

            outcome.AllEnded = await WaitAllEndedAsync(tracker, nodes, options.EffectiveTimeout, cancellationToken);
            outcome.RunTime = runClock.Elapsed;
            var runEnd = nodes.Mark();
            outcome.ClientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuStart;
            outcome.Nodes = nodes.Summarize(runStart, runEnd);
            outcome.ServerAfterSubmit = nodes.Summarize(submitEnd, runEnd)[0].Summary;
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
        outcome.UpstreamEnd = UpstreamEndLatency.Measure(streams, simulator.State);
        if (options.SamplesCsv is { } csv)
        {
            SampleCsv.Write(csv, streams.SelectMany(s => s.Samples));
        }

        RunReport.Print(outcome);
        return outcome.Succeeded ? 0 : 1;
    }

    private static void DescribeNodes(TaskBenchOptions options, string serverDll, string folder, PostgresScratchDatabase? database, ServerNodes nodes)
    {
        var gc = MachineInfo.ServerGcMode(serverDll);
        if (!nodes.Clustered)
        {
            var storage = database is null ? $"SQLite in {folder}" : $"{database.Describe()}, log in {folder}";
            Report.Line($"  server: pid {nodes.Submitter.Process.Pid}, {serverDll} ({gc}), engine MaxWorkers {options.Workers}, {storage}");
        }
        else
        {
            Report.Line($"  servers: {nodes.All.Count} nodes of {serverDll} ({gc}), engine MaxWorkers {options.Workers}, on {database!.Describe()}; logs in {folder}");
            foreach (var node in nodes.All)
            {
                Report.Line($"  node {node.Number}: pid {node.Process.Pid}, {node.Role}");
            }

            Report.Line($"  every user's tasks are submitted to node 1 and its stream is open on another node: every push crosses nodes");
        }

        foreach (var (name, value) in options.ServerEnvironment)
        {
            Report.Line($"  server setting: {name}={value}");
        }
    }

    private static async Task<bool> WaitAllEndedAsync(TaskTracker tracker, ServerNodes nodes, TimeSpan timeout, CancellationToken cancellationToken)
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
            if (nodes.Exited is { } exited)
            {
                var which = nodes.Clustered ? $"node {exited.Number}" : "the server";
                await Console.Error.WriteLineAsync($"error: {which} exited during the run; see {exited.Process.LogPath}");
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

    private static async Task DropAsync(PostgresScratchDatabase database)
    {
        try
        {
            database.Drop();
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"error: could not drop the PostgreSQL database {database.Name}: {e.Message}");
        }
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
