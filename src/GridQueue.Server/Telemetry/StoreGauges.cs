using System.Data.Common;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Options;
using GridQueue.Tasks.Model;
using GridQueue.Tasks.Providers;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Telemetry;

/// <summary>
/// What the gauges read from the database: waiting jobs per queue (all, and those already due) and unfinished
/// tasks per status and provider. The gauges are called at each collection (a scrape, an OTLP export), so the
/// numbers are read at most once per <see cref="MaxAge"/> and served from memory in between. Both queries are
/// answered from the partial indexes on unfinished rows (gq_jobs_claim's and gq_tasks_unfinished's WHERE).
/// <para>
/// The SQL lives here rather than behind the storage interfaces: it serves only the gauges, and one text is valid on
/// SQLite and PostgreSQL alike (same tables, times in Unix milliseconds on both), run on a connection of the
/// server's own store (<see cref="GaugeConnections"/>).
/// </para>
/// </summary>
public sealed partial class StoreGauges(
    GaugeConnections connections,
    IOptions<JobEngineOptions> engine,
    ProviderCatalog providers,
    TimeProvider time,
    ILogger<StoreGauges> logger)
{
    /// <summary>How long one read of the counts is served: shorter than any sensible scrape interval.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private const string JobsSql = """
        SELECT queue, count(*), count(*) FILTER (WHERE scheduled_at <= @now) FROM gq_jobs
        WHERE state IN ('available', 'scheduled', 'retryable')
        GROUP BY queue;
        """;

    private const string TasksSql = """
        SELECT status, provider, count(*) FROM gq_tasks
        WHERE status IN ('queued', 'running')
        GROUP BY status, provider;
        """;

    private readonly Lock _lock = new();
    private StoreCounts? _counts;
    private DateTimeOffset _readAt;

    /// <summary>The counts, at most <see cref="MaxAge"/> old; empty when the database could not be read (logged).</summary>
    public StoreCounts Read()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_counts is null || now - _readAt >= MaxAge)
            {
                _counts = ReadNow(now);
                _readAt = now;
            }

            return _counts;
        }
    }

    private StoreCounts ReadNow(DateTimeOffset now)
    {
        // Every configured queue and provider is reported, with 0 when nothing waits, so a series does not vanish.
        var queues = engine.Value.Queues.Count > 0 ? engine.Value.Queues.Keys : (IEnumerable<string>)[NewJob.DefaultQueue];
        var waiting = queues.ToDictionary(q => q, _ => (Waiting: 0L, Due: 0L), StringComparer.Ordinal);
        var tasks = new Dictionary<(string Status, string Provider), long>();
        foreach (var provider in providers.Names)
        {
            tasks[(VideoTaskStatus.Queued.ToWire(), provider)] = 0;
            tasks[(VideoTaskStatus.Running.ToWire(), provider)] = 0;
        }

        try
        {
            // The gauges' callbacks cannot be asynchronous: the read blocks the collecting thread, at most once per MaxAge.
            using var connection = connections.Open();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = JobsSql;
                var at = command.CreateParameter();
                at.ParameterName = "@now";
                at.Value = now.ToUnixTimeMilliseconds();
                command.Parameters.Add(at);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    waiting[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
                }
            }

            using (var command = connection.CreateCommand())
            {
                command.CommandText = TasksSql;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    tasks[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
                }
            }
        }
        catch (DbException e)
        {
            LogReadFailed(e);
            return StoreCounts.Empty;
        }

        return new StoreCounts(
            [.. waiting.Select(kv => new QueueCount(kv.Key, kv.Value.Waiting, kv.Value.Due))],
            [.. tasks.Select(kv => new TaskCount(kv.Key.Status, kv.Key.Provider, kv.Value))]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The queue and task gauges could not read the database; they report nothing until the next read.")]
    private partial void LogReadFailed(Exception exception);
}

/// <summary>Opens a read connection on the server's database, whichever store it is.</summary>
public sealed class GaugeConnections(Func<DbConnection> open)
{
    public DbConnection Open() => open();
}

/// <summary>One read of the database's counts.</summary>
public sealed record StoreCounts(IReadOnlyList<QueueCount> Queues, IReadOnlyList<TaskCount> Tasks)
{
    public static readonly StoreCounts Empty = new([], []);
}

/// <summary>Waiting jobs of a queue: all of them, and those whose scheduled time has come (the backlog).</summary>
public sealed record QueueCount(string Queue, long Waiting, long Due);

/// <summary>Unfinished tasks of one status and provider.</summary>
public sealed record TaskCount(string Status, string Provider, long Count);
