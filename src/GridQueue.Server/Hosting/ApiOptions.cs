using System.ComponentModel.DataAnnotations;

namespace GridQueue.Server.Hosting;

/// <summary>HTTP API settings (configuration section "Api").</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";
    public const long DefaultMaxBodyBytes = 16 * 1024 * 1024;
    public const int DefaultGeneratePerMinute = 60;
    public const int DefaultActionsPerMinute = 600;
    public const int DefaultMaxStreamsPerUser = 20;
    public static readonly TimeSpan DefaultSsePingInterval = TimeSpan.FromSeconds(15);

    /// <summary>Largest accepted request body, in bytes.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>Generate requests one user may make per minute (0: no limit).</summary>
    [Range(0, 1_000_000)]
    public int GeneratePerMinute { get; set; } = DefaultGeneratePerMinute;

    /// <summary>Other API requests (status, list, cancel, retry, event streams) one user may make per minute (0: no limit).</summary>
    [Range(0, 10_000_000)]
    public int ActionsPerMinute { get; set; } = DefaultActionsPerMinute;

    /// <summary>
    /// Event streams one user may hold open at once in this server process (0: no cap). Each stream holds a
    /// connection and a subscription that receives every one of the user's events, so one token must not be able to
    /// exhaust the process's connections.
    /// </summary>
    [Range(0, 100_000, ErrorMessage = "Api__MaxStreamsPerUser must be between 0 (no cap) and 100000.")]
    public int MaxStreamsPerUser { get; set; } = DefaultMaxStreamsPerUser;

    /// <summary>
    /// Kestrel's inline scheduling (<c>UnsafePreferInlineScheduling</c>): a response's bytes are sent by the thread
    /// that flushes them, and a request is handled on the thread-pool thread that read it, instead of each waiting
    /// in the thread pool's queue behind all other work. On a busy server that wait was most of the tail of the push
    /// latency (docs/benchmarks.md). Socket events on Linux are handled on thread-pool threads either way (not on the
    /// polling thread), so a handler that blocks (SQLite's calls are synchronous) holds a pool thread as before.
    /// False restores Kestrel's default.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>An SSE stream sends a ": ping" comment at least this often.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:15:00")]
    public TimeSpan SsePingInterval { get; set; } = DefaultSsePingInterval;
}
