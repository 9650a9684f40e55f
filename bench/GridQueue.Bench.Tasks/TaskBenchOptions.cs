using System.Globalization;
using GridQueue.Bench.Shared;

namespace GridQueue.Bench.Tasks;

/// <summary>The task benchmark's command line, parsed and checked.</summary>
internal sealed record TaskBenchOptions
{
    public const int DefaultTasks = 100;
    public const int DefaultWorkers = 100;
    public const int DefaultSubmitParallel = 32;
    public const int MaxNodes = 8;
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(20);

    public const string Usage = """
        usage: dotnet run -c Release --project bench/GridQueue.Bench.Tasks -- [options]

          --tasks N               video tasks to submit, all in flight at once (default 100)
          --users N               users the tasks are spread over, one SSE stream each
                                  (default tasks/10, at least 1, at most 100)
          --poll D                server's Tasks__PollInterval: time between status polls of a task (default 2s)
          --duration D            simulator's time from submit to the end of a task (default 20s)
          --workers N             server's GridQueue__Engine__MaxWorkers (default 100, the engine default)
          --submit-parallel N     generate requests in flight at once while submitting (default 32)
          --warmup N              tasks to submit, poll once and cancel before measuring, so the figures are
                                  of a warm server (default 20; 0 measures from a cold start)
          --failure-rate R        fraction 0..1 of tasks the simulator fails (default 0)
          --timeout D             after the last submit, how long to wait for every task to end
                                  (default: duration + 3 x poll + 2 min)
          --store NAME            the server's storage: sqlite (default) or postgres
          --conn TEXT             postgres only (required): an Npgsql connection string to a server where the
                                  benchmark may create a database; it runs in a new one, gq_bench_<random>,
                                  dropped at the end
          --nodes N               server processes sharing the one database (default 1; more only with postgres).
                                  Node 1 takes every submit and runs every task; the other nodes run no task and
                                  serve the users' SSE streams, so every push measured crosses nodes
          --server-dll PATH       GridQueue.Server.dll to run (default: the one built beside this benchmark,
                                  else src/GridQueue.Server/bin/Release/net10.0)
          --server-env NAME=VALUE extra environment for the server (every node), e.g. Storage__Synchronous=NORMAL
                                  (repeatable)
          --samples-csv PATH      write every push latency sample (arrival, latency, kind, event id) as CSV
          --keep                  keep the server's temporary folder (SQLite database, logs) and the PostgreSQL
                                  database, and print where they are
          --help                  print this text

        Durations: 500ms, 2s, 1.5s, 2m or 00:00:02.
        """;

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "tasks", "users", "warmup", "poll", "duration", "workers", "submit-parallel", "failure-rate", "timeout", "server-dll", "server-env", "samples-csv",
        "store", "conn", "nodes",
    };

    public int Tasks { get; init; } = DefaultTasks;
    public int Users { get; init; } = DefaultUsers(DefaultTasks);
    public TimeSpan Poll { get; init; } = DefaultPoll;
    public TimeSpan Duration { get; init; } = DefaultDuration;
    public int Workers { get; init; } = DefaultWorkers;
    public int SubmitParallel { get; init; } = DefaultSubmitParallel;
    public double FailureRate { get; init; }
    public int WarmupTasks { get; init; } = Warmup.DefaultTasks;

    /// <summary>Null: <see cref="EffectiveTimeout"/> computes it.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Null: found by <see cref="ServerLocator"/>.</summary>
    public string? ServerDll { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment { get; init; } = [];

    /// <summary><see cref="Sqlite"/> or <see cref="Postgres"/>.</summary>
    public string Store { get; init; } = Sqlite;

    /// <summary>With <see cref="Postgres"/>: where the run's database is created. Null with SQLite.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Server processes on the one database; more than one only with <see cref="Postgres"/>.</summary>
    public int Nodes { get; init; } = 1;
    public bool Keep { get; init; }

    /// <summary>Null: no CSV.</summary>
    public string? SamplesCsv { get; init; }

    public TimeSpan EffectiveTimeout => Timeout ?? Duration + (3 * Poll) + TimeSpan.FromMinutes(2);

    public static int DefaultUsers(int tasks) => Math.Clamp(tasks / 10, 1, 100);

    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var environment = new List<KeyValuePair<string, string>>();
        var keep = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return new ParseResult(null, ShowHelp: true, null);
            }

            if (arg == "--keep")
            {
                keep = true;
                continue;
            }

            if (LongOption.TryRead(args, ref i, out var name, out var value) is { } error)
            {
                return Fail(error);
            }

            if (!Names.Contains(name))
            {
                return Fail($"unknown option '--{name}'");
            }

            if (name == "server-env")
            {
                var split = value.IndexOf('=', StringComparison.Ordinal);
                if (split <= 0)
                {
                    return Fail($"--server-env needs NAME=VALUE (got '{value}')");
                }

                environment.Add(new(value[..split], value[(split + 1)..]));
                continue;
            }

            if (!values.TryAdd(name, value))
            {
                return Fail($"--{name} is given twice");
            }
        }

        return Build(values, environment, keep);
    }

    private static ParseResult Build(Dictionary<string, string> values, List<KeyValuePair<string, string>> environment, bool keep)
    {
        var tasks = DefaultTasks;
        if (values.TryGetValue("tasks", out var text) && !TryCount(text, 1_000_000, out tasks))
        {
            return Fail($"--tasks must be a whole number from 1 to 1000000 (got '{text}')");
        }

        var users = DefaultUsers(tasks);
        if (values.TryGetValue("users", out text) && !TryCount(text, 10_000, out users))
        {
            return Fail($"--users must be a whole number from 1 to 10000 (got '{text}')");
        }

        var warmup = Warmup.DefaultTasks;
        if (values.TryGetValue("warmup", out text) && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out warmup) && warmup <= 1_000))
        {
            return Fail($"--warmup must be a whole number from 0 to 1000 (got '{text}')");
        }

        var workers = DefaultWorkers;
        if (values.TryGetValue("workers", out text) && !TryCount(text, 10_000, out workers))
        {
            return Fail($"--workers must be a whole number from 1 to 10000 (got '{text}')");
        }

        var parallel = DefaultSubmitParallel;
        if (values.TryGetValue("submit-parallel", out text) && !TryCount(text, 1_000, out parallel))
        {
            return Fail($"--submit-parallel must be a whole number from 1 to 1000 (got '{text}')");
        }

        var poll = DefaultPoll;
        if (values.TryGetValue("poll", out text) && (!DurationText.TryParse(text, out poll) || poll < TimeSpan.FromMilliseconds(10)))
        {
            return Fail($"--poll must be a duration of at least 10ms (got '{text}')");
        }

        var duration = DefaultDuration;
        if (values.TryGetValue("duration", out text) && (!DurationText.TryParse(text, out duration) || duration <= TimeSpan.Zero))
        {
            return Fail($"--duration must be a positive duration (got '{text}')");
        }

        TimeSpan? timeout = null;
        if (values.TryGetValue("timeout", out text))
        {
            if (!DurationText.TryParse(text, out var parsed) || parsed <= TimeSpan.Zero)
            {
                return Fail($"--timeout must be a positive duration (got '{text}')");
            }

            timeout = parsed;
        }

        double failureRate = 0;
        if (values.TryGetValue("failure-rate", out text)
            && (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out failureRate) || failureRate is < 0 or > 1))
        {
            return Fail($"--failure-rate must be a number from 0 to 1 (got '{text}')");
        }

        values.TryGetValue("server-dll", out var serverDll);
        if (serverDll is not null && !File.Exists(serverDll))
        {
            return Fail($"--server-dll '{serverDll}' does not exist");
        }

        var store = values.GetValueOrDefault("store", Sqlite);
        if (store is not (Sqlite or Postgres))
        {
            return Fail($"--store must be {Sqlite} or {Postgres} (got '{store}')");
        }

        values.TryGetValue("conn", out var conn);
        if (store == Postgres && string.IsNullOrWhiteSpace(conn))
        {
            return Fail("--store postgres needs --conn with a connection string");
        }

        if (store != Postgres && conn is not null)
        {
            return Fail("--conn is for --store postgres only");
        }

        var nodes = 1;
        if (values.TryGetValue("nodes", out text) && !TryCount(text, MaxNodes, out nodes))
        {
            return Fail($"--nodes must be a whole number from 1 to {MaxNodes} (got '{text}')");
        }

        if (nodes > 1 && store != Postgres)
        {
            return Fail("--nodes above 1 needs --store postgres: only nodes sharing a PostgreSQL database see each other's events");
        }

        return new ParseResult(
            new TaskBenchOptions
            {
                Tasks = tasks,
                Users = users,
                Poll = poll,
                Duration = duration,
                Workers = workers,
                SubmitParallel = parallel,
                FailureRate = failureRate,
                WarmupTasks = warmup,
                Timeout = timeout,
                ServerDll = serverDll,
                ServerEnvironment = environment,
                Keep = keep,
                SamplesCsv = values.GetValueOrDefault("samples-csv"),
                Store = store,
                ConnectionString = conn,
                Nodes = nodes,
            },
            ShowHelp: false,
            null);
    }

    private static bool TryCount(string text, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max;

    private static ParseResult Fail(string error) => new(null, ShowHelp: false, error);
}

/// <summary>Parsed options, a request for help, or what was wrong with the command line.</summary>
internal sealed record ParseResult(TaskBenchOptions? Options, bool ShowHelp, string? Error);
