using System.Globalization;
using GridQueue.Bench.Shared;

namespace GridQueue.Bench;

/// <summary>The benchmark's command line, parsed and checked.</summary>
internal sealed record BenchOptions
{
    public const int DefaultWorkers = 200;
    public const int DefaultLatencySamples = 300;

    public const string Usage = """
        usage: dotnet run -c Release --project bench/GridQueue.Bench -- --store sqlite --jobs N [options]
               dotnet run -c Release --project bench/GridQueue.Bench -- --store postgres --conn "Host=...;Username=..." --jobs N [options]

          --store NAME            storage backend: sqlite or postgres
          --jobs N                no-op jobs to insert and drain (1 to 10000000)
          --workers N[,N...]      engine MaxWorkers (default 200); a list such as 1,5,20,200 runs once per value,
                                  each on a fresh database, and prints one line per value
          --latency-samples N     single-job pickups to time on the idle engine (default 300)
          --synchronous MODE      sqlite only: FULL (default, durable), NORMAL, EXTRA or OFF
          --db PATH               sqlite only: database file to create and keep (must not exist yet);
                                  default: a temporary file, deleted at the end with its -wal and -shm
          --conn TEXT             postgres only (required): an Npgsql connection string to a server where the
                                  user may CREATE DATABASE; the run uses a new database there and drops it at the end
          --help                  print this text
        """;

    private static readonly string[] SynchronousModes = ["FULL", "NORMAL", "EXTRA", "OFF"];

    public required string Store { get; init; }
    public required int Jobs { get; init; }
    /// <summary>One run per value, in the order given; a single value is the usual single run.</summary>
    public IReadOnlyList<int> Workers { get; init; } = [DefaultWorkers];
    public int LatencySamples { get; init; } = DefaultLatencySamples;

    /// <summary>Null: the store's own default.</summary>
    public string? Synchronous { get; init; }

    /// <summary>Null: a temporary file.</summary>
    public string? DbPath { get; init; }

    /// <summary>PostgreSQL only: the server to run on.</summary>
    public string? ConnectionString { get; init; }

    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return new ParseResult(null, ShowHelp: true, null);
            }

            if (LongOption.TryRead(args, ref i, out var name, out var value) is { } error)
            {
                return Fail(error);
            }

            if (name is not ("store" or "jobs" or "workers" or "latency-samples" or "synchronous" or "db" or "conn"))
            {
                return Fail($"unknown option '--{name}'");
            }

            if (!values.TryAdd(name, value))
            {
                return Fail($"--{name} is given twice");
            }
        }

        return Build(values);
    }

    private static ParseResult Build(Dictionary<string, string> values)
    {
        if (!values.TryGetValue("store", out var store))
        {
            return Fail("--store is required");
        }

        if (!BenchStores.Names.Contains(store, StringComparer.Ordinal))
        {
            return Fail($"--store '{store}' is not supported (supported: {string.Join(", ", BenchStores.Names)})");
        }

        if (!values.TryGetValue("jobs", out var jobsText))
        {
            return Fail("--jobs is required");
        }

        if (!TryCount(jobsText, 10_000_000, out var jobs))
        {
            return Fail($"--jobs must be a whole number from 1 to 10000000 (got '{jobsText}')");
        }

        IReadOnlyList<int> workers = [DefaultWorkers];
        if (values.TryGetValue("workers", out var workersText) && !TryCounts(workersText, 10_000, out workers))
        {
            return Fail($"--workers must be whole numbers from 1 to 10000, separated by commas, each once (got '{workersText}')");
        }

        var samples = DefaultLatencySamples;
        if (values.TryGetValue("latency-samples", out var samplesText) && !TryCount(samplesText, 1_000_000, out samples))
        {
            return Fail($"--latency-samples must be a whole number from 1 to 1000000 (got '{samplesText}')");
        }

        string? synchronous = null;
        if (values.TryGetValue("synchronous", out var syncText))
        {
            synchronous = SynchronousModes.FirstOrDefault(m => string.Equals(m, syncText, StringComparison.OrdinalIgnoreCase));
            if (synchronous is null)
            {
                return Fail($"--synchronous must be one of {string.Join(", ", SynchronousModes)} (got '{syncText}')");
            }
        }

        values.TryGetValue("db", out var db);
        if (db is not null && (string.IsNullOrWhiteSpace(db) || File.Exists(db)))
        {
            return Fail($"--db must name a database file that does not exist yet (got '{db}'); the benchmark needs an empty database");
        }

        values.TryGetValue("conn", out var conn);
        if (store == "postgres" && string.IsNullOrWhiteSpace(conn))
        {
            return Fail("--store postgres needs --conn with a connection string");
        }

        if (store != "postgres" && conn is not null)
        {
            return Fail("--conn is for --store postgres only");
        }

        if (db is not null && workers.Count > 1)
        {
            return Fail("--db keeps one database, so it takes a single --workers value");
        }

        if (store != "sqlite" && (synchronous is not null || db is not null))
        {
            return Fail("--synchronous and --db are for --store sqlite only");
        }

        return new ParseResult(
            new BenchOptions
            {
                Store = store,
                Jobs = jobs,
                Workers = workers,
                LatencySamples = samples,
                Synchronous = synchronous,
                DbPath = db,
                ConnectionString = conn,
            },
            ShowHelp: false,
            null);
    }

    private static bool TryCount(string text, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max;

    private static bool TryCounts(string text, int max, out IReadOnlyList<int> values)
    {
        var parts = text.Split(',');
        var parsed = new List<int>(parts.Length);
        foreach (var part in parts)
        {
            if (!TryCount(part, max, out var value) || parsed.Contains(value))
            {
                values = [];
                return false;
            }

            parsed.Add(value);
        }

        values = parsed;
        return true;
    }

    private static ParseResult Fail(string error) => new(null, ShowHelp: false, error);
}

/// <summary>Parsed options, a request for help, or what was wrong with the command line.</summary>
internal sealed record ParseResult(BenchOptions? Options, bool ShowHelp, string? Error);
