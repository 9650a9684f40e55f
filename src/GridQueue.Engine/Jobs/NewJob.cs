using System.Text.Json;

namespace GridQueue.Engine.Jobs;

/// <summary>What a caller asks to insert. Everything but kind and args has a default.</summary>
public sealed record NewJob
{
    /// <summary>Lowest priority number (runs first).</summary>
    public const int HighestPriority = 0;

    /// <summary>Highest priority number (runs last).</summary>
    public const int LowestPriority = 9;

    /// <summary>The priority a job gets when the caller names none.</summary>
    public const int DefaultPriority = 5;

    /// <summary>The queue a job goes to when the caller names none.</summary>
    public const string DefaultQueue = "default";

    /// <summary>Longest kind, queue, unique key or fairness key accepted.</summary>
    public const int MaxNameLength = 255;

    public NewJob(string kind, string argsJson)
    {
        Kind = kind;
        Args = argsJson;
    }

    /// <summary>Makes a job whose args are <paramref name="args"/> serialized with System.Text.Json.</summary>
    public static NewJob Create<TArgs>(string kind, TArgs args, JsonSerializerOptions? serializerOptions = null) =>
        new(kind, JsonSerializer.Serialize(args, serializerOptions));

    /// <summary>Names the handler that runs the job.</summary>
    public string Kind { get; init; }

    /// <summary>The handler's arguments as JSON text.</summary>
    public string Args { get; init; }

    public string Queue { get; init; } = DefaultQueue;
    public int Priority { get; init; } = DefaultPriority;

    /// <summary>Run no earlier than this; null or past means now.</summary>
    public DateTimeOffset? ScheduledAt { get; init; }

    /// <summary>Null takes the engine's DefaultMaxAttempts.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>While an unfinished job holds this key, inserting another with it returns the existing job.</summary>
    public string? UniqueKey { get; init; }

    /// <summary>Jobs sharing this key share the per-key limit of running jobs.</summary>
    public string? FairnessKey { get; init; }
}
