using System.Text.Json;
using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Execution;

/// <summary>What a handler gets to know about the run it performs.</summary>
public sealed class JobContext
{
    internal JobContext(Job job, string node, IServiceProvider services)
    {
        Job = job;
        Node = node;
        Services = services;
    }

    /// <summary>The job as claimed (State is Running, Attempt counts this run).</summary>
    public Job Job { get; }

    /// <summary>The node running it.</summary>
    public string Node { get; }

    /// <summary>A service scope for this run (disposed when the handler returns).</summary>
    public IServiceProvider Services { get; }

    /// <summary>True on the last attempt: a failure now discards the job.</summary>
    public bool IsLastAttempt => Job.Attempt >= Job.MaxAttempts;

    /// <summary>Deserializes the job's args.</summary>
    public TArgs GetArgs<TArgs>(JsonSerializerOptions? options = null) =>
        JsonSerializer.Deserialize<TArgs>(Job.Args, options)
        ?? throw new JsonException($"Job {Job.Id} ({Job.Kind}) has null args.");
}
