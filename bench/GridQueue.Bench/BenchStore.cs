using GridQueue.Engine.Storage;

namespace GridQueue.Bench;

/// <summary>A store under test, with what to print about it and how to clean up after it.</summary>
internal abstract class BenchStore : IAsyncDisposable
{
    public abstract IJobStore Store { get; }

    /// <summary>One line for the report: where the data lives and the settings that matter for speed.</summary>
    public abstract string Describe();

    /// <summary>Removes whatever the benchmark created (nothing when the caller asked to keep it).</summary>
    public abstract ValueTask DisposeAsync();
}

/// <summary>The one place that knows which stores the benchmark can run on.</summary>
internal static class BenchStores
{
    /// <summary>Accepted values of --store. To add one: name it here and create it in <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sqlite", "postgres"];

    public static BenchStore Create(BenchOptions options) => options.Store switch
    {
        "sqlite" => SqliteBenchStore.Create(options.DbPath, options.Synchronous),
        "postgres" => PostgresBenchStore.Create(options.ConnectionString!),
        _ => throw new ArgumentException($"Unknown store '{options.Store}'.", nameof(options)),
    };
}
