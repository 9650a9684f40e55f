using System.Collections.Concurrent;
using System.Diagnostics;

namespace GridQueue.Bench.Tasks;

/// <summary>
/// Every task of the run, from the generate responses and the SSE events: how many are in flight (accepted, not
/// ended), which have ended and how, and anything the contract forbids (an event after the end, progress going
/// back, an event on another user's stream). <see cref="AllEnded"/> completes when every task has ended.
/// </summary>
internal sealed class TaskTracker(int expected, Stopwatch clock)
{
    private readonly ConcurrentDictionary<string, TrackedTask> _tasks = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _allEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _accepted;
    private int _ended;
    private int _submitFailed;
    private int _inFlight;
    private int _peakInFlight;
    private long _peakInFlightTicks;
    private long _lastEndTicks;
    private int _afterEnd;
    private int _progressBack;
    private int _wrongUser;
    private int _unknownTasks;

    public Task AllEnded => _allEnded.Task;
    public int Accepted => Volatile.Read(ref _accepted);
    public int Ended => Volatile.Read(ref _ended);
    public int SubmitFailed => Volatile.Read(ref _submitFailed);
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>When the in-flight count first reached its peak, on the run clock.</summary>
    public TimeSpan PeakInFlightAt => TimeSpan.FromTicks(Interlocked.Read(ref _peakInFlightTicks));

    /// <summary>When the last task ended, on the run clock.</summary>
    public TimeSpan LastEndAt => TimeSpan.FromTicks(Interlocked.Read(ref _lastEndTicks));

    public int EventsAfterEnd => Volatile.Read(ref _afterEnd);
    public int ProgressWentBack => Volatile.Read(ref _progressBack);
    public int EventsOnWrongStream => Volatile.Read(ref _wrongUser);

    /// <summary>Events for tasks no generate response ever named (counted at the end).</summary>
    public int UnknownTasks => Volatile.Read(ref _unknownTasks);

    public IEnumerable<TrackedTask> Tasks => _tasks.Values;

    public void Accept(string taskId, string userId)
    {
        var task = _tasks.GetOrAdd(taskId, id => new TrackedTask(id, userId));
        lock (task)
        {
            if (task.Accepted)
            {
                return; // the same task answered twice (an idempotent retry)
            }

            task.Accepted = true;
            Interlocked.Increment(ref _accepted);
            if (task.EndStatus is null)
            {
                var now = Interlocked.Increment(ref _inFlight);
                RaisePeak(now);
            }
            else
            {
                CountEnded();
            }
        }
    }

    public void FailSubmit()
    {
        Interlocked.Increment(ref _submitFailed);
        CheckAllEnded();
    }

    /// <summary>Records an event for <paramref name="taskId"/> seen on <paramref name="streamUser"/>'s stream.</summary>
    public void Observe(string streamUser, string taskId, string taskUser, string status, int progress)
    {
        if (taskUser != streamUser)
        {
            Interlocked.Increment(ref _wrongUser);
        }

        var task = _tasks.GetOrAdd(taskId, id => new TrackedTask(id, taskUser));
        lock (task)
        {
            task.Events++;
            if (task.EndStatus is not null)
            {
                Interlocked.Increment(ref _afterEnd);
                return;
            }

            if (progress < task.LastProgress && status == task.LastStatus)
            {
                Interlocked.Increment(ref _progressBack);
            }

            task.LastStatus = status;
            task.LastProgress = progress;
            if (status is "succeeded" or "failed" or "cancelled")
            {
                task.EndStatus = status;
                if (task.Accepted)
                {
                    Interlocked.Decrement(ref _inFlight);
                    CountEnded();
                }
            }
        }
    }

    /// <summary>Counts tasks seen only in events (never acknowledged by a generate response).</summary>
    public void CountUnknown() =>
        Volatile.Write(ref _unknownTasks, _tasks.Values.Count(t => !t.Accepted));

    private void CountEnded()
    {
        Interlocked.Increment(ref _ended);
        Interlocked.Exchange(ref _lastEndTicks, clock.Elapsed.Ticks);
        CheckAllEnded();
    }

    private void CheckAllEnded()
    {
        if (Volatile.Read(ref _ended) + Volatile.Read(ref _submitFailed) >= expected)
        {
            _allEnded.TrySetResult();
        }
    }

    private void RaisePeak(int now)
    {
        var peak = Volatile.Read(ref _peakInFlight);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakInFlight, now, peak);
            if (seen == peak)
            {
                Interlocked.Exchange(ref _peakInFlightTicks, clock.Elapsed.Ticks);
                return;
            }

            peak = seen;
        }
    }
}
