using System.Diagnostics.CodeAnalysis;

namespace GridQueue.Simulator;

/// <summary>
/// The tasks and counters of one simulator, shared by all requests. One lock keeps the counters and the task table
/// consistent with each other, so a test that reads the stats never sees a task without its count.
/// </summary>
public sealed class SimulatorState
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, SimulatedTask> tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> byPrompt = new(StringComparer.Ordinal);
    private int droppedResponses;
    private int acceptedThenFailed;
    private int callbacksSent;
    private int callbacksDropped;
    private int callbacksFailed;
    private long statusQueries;

    /// <summary>Accepted submits so far, including those whose response was dropped.</summary>
    public int Submissions
    {
        get
        {
            lock (gate)
            {
                return tasks.Count;
            }
        }
    }

    /// <summary>Submits that created a task but aborted the connection instead of answering.</summary>
    public int DroppedResponses
    {
        get
        {
            lock (gate)
            {
                return droppedResponses;
            }
        }
    }

    /// <summary>Submits that created a task but answered an error status instead of its id.</summary>
    public int AcceptedThenFailed
    {
        get
        {
            lock (gate)
            {
                return acceptedThenFailed;
            }
        }
    }

    /// <summary>Task-end callbacks delivered (any answer from the hook's server counts).</summary>
    public int CallbacksSent
    {
        get
        {
            lock (gate)
            {
                return callbacksSent;
            }
        }
    }

    /// <summary>Task-end callbacks not sent because of <see cref="SimulatorFaults.CallbackDropRate"/>.</summary>
    public int CallbacksDropped
    {
        get
        {
            lock (gate)
            {
                return callbacksDropped;
            }
        }
    }
    /// <summary>Status queries of known tasks answered so far (the polls a benchmark divides its server CPU by).</summary>
    public long StatusQueries => Interlocked.Read(ref statusQueries);

    /// <summary>A copy of the accepted submits per prompt.</summary>
    public IReadOnlyDictionary<string, int> SubmissionsByPrompt()
    {
        lock (gate)
        {
            return new Dictionary<string, int>(byPrompt, StringComparer.Ordinal);
        }
    }

    /// <summary>All counters at one moment.</summary>
    public SimulatorStats Snapshot()
    {
        lock (gate)
        {
            return new SimulatorStats(tasks.Count, droppedResponses, acceptedThenFailed, new Dictionary<string, int>(byPrompt, StringComparer.Ordinal))
            {
                CallbacksSent = callbacksSent,
                CallbacksDropped = callbacksDropped,
                CallbacksFailed = callbacksFailed,
            };
        }
    }

    public bool TryGetTask(string taskId, [NotNullWhen(true)] out SimulatedTask? task)
    {
        lock (gate)
        {
            return tasks.TryGetValue(taskId, out task);
        }
    }

    /// <summary>A copy of every task, oldest submit first.</summary>
    public IReadOnlyList<SimulatedTask> Tasks()
    {
        lock (gate)
        {
            return [.. tasks.Values.OrderBy(task => task.SubmittedAt)];
        }
    }

    internal void Add(SimulatedTask task)
    {
        lock (gate)
        {
            tasks.Add(task.Id, task);
            byPrompt[task.Prompt] = byPrompt.GetValueOrDefault(task.Prompt) + 1;
        }
    }

    internal void CountDroppedResponse()
    {
        lock (gate)
        {
            droppedResponses++;
        }
    }

    internal void CountCallback(CallbackResult result)
    {
        lock (gate)
        {
            switch (result)
            {
                case CallbackResult.Sent:
                    callbacksSent++;
                    break;
                case CallbackResult.Dropped:
                    callbacksDropped++;
                    break;
                default:
                    callbacksFailed++;
                    break;
            }
        }
    }
    internal void CountStatusQuery() => Interlocked.Increment(ref statusQueries);

    internal void CountAcceptedThenFailed()
    {
        lock (gate)
        {
            acceptedThenFailed++;
        }
    }
}
