using GridQueue.Tasks.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GridQueue.Tasks.Events;

/// <summary>
/// Pushes stored events to live listeners. One loop per server reads the event log after the last sequence it
/// delivered and hands each event to the owner's listeners. It wakes when this process commits a change
/// (<see cref="TaskChangeSignal"/>), when another node does (where the store offers an <see cref="ITaskEventFeed"/>)
/// and otherwise polls once a second, which picks up changes other processes wrote to the same database. Reading back
/// from the log, rather than passing objects in memory, keeps one order (the sequence) for live and replayed events
/// alike, and makes a notification no more than "look now".
/// <para>
/// A feed's word names the highest sequence committed. Where the log holds a committed event back until older
/// writing transactions end (PostgreSQL), the read that the word prompts may not list it yet, and no further word
/// comes when those transactions end: while the hub has delivered less than was announced, it reads again after
/// <see cref="FirstCatchUpDelay"/>, doubling up to <see cref="MaxCatchUpDelay"/>, instead of waiting for the next word
/// or the poll. The cap keeps the delay after the event becomes listable short: with doubling alone, an event held
/// back for 41 ms would be read at 75 ms.
/// </para>
/// </summary>
/// <param name="fallbackPoll">How long the hub waits for a wake-up before it reads anyway; one second when null.</param>
public sealed partial class TaskEventHub(
    ITaskStore store,
    TaskChangeSignal signal,
    ILogger<TaskEventHub> logger,
    ITaskEventFeed? feed = null,
    TimeSpan? fallbackPoll = null) : BackgroundService
{
    /// <summary>Events one listener may have waiting before it is dropped.</summary>
    public const int ListenerCapacity = 10_000;

    /// <summary>
    /// Payload bytes one listener may have waiting before it is dropped: 10,000 events of a task with data: images
    /// would otherwise be gigabytes held for one slow connection.
    /// </summary>
    public const long ListenerMaxBytes = 64L * 1024 * 1024;

    /// <summary>One read of the log per round: bounded in bytes as well, as one event may carry megabytes of images.</summary>
    private static readonly EventPageSize Batch = new(1_000, 4L * 1024 * 1024);

    /// <summary>The first wait before reading again for an announced event the log did not list yet.</summary>
    private static readonly TimeSpan FirstCatchUpDelay = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The longest wait between two such reads: an indexed read that finds nothing, at most 50 a second, and only
    /// while a writing transaction holds an announced event back.
    /// </summary>
    private static readonly TimeSpan MaxCatchUpDelay = TimeSpan.FromMilliseconds(20);

    private readonly TimeSpan _fallbackPoll = fallbackPoll ?? TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<TaskEventSubscription>> _byUser = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(TaskEventSubscription Listener, TaskEvent Event)> _handOut = [];
    private long _delivered;
    private long _announced;

    /// <summary>The last sequence handed to listeners.</summary>
    public long DeliveredSequence => Interlocked.Read(ref _delivered);

    /// <summary>
    /// Starts listening to a user's events (one task's, when <paramref name="taskId"/> is given). Every event with a
    /// sequence above <see cref="DeliveredSequence"/> at this moment will arrive; older ones come from the log.
    /// </summary>
    public async Task<TaskEventSubscription> SubscribeAsync(string userId, string? taskId, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var subscription = new TaskEventSubscription(userId, taskId, ListenerCapacity, ListenerMaxBytes, Unsubscribe);
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var listeners))
            {
                _byUser[userId] = listeners = [];
            }

            listeners.Add(subscription);
        }

        return subscription;
    }

    /// <summary>
    /// The loop runs on a thread of its own, not as thread-pool continuations: a wake-up then reaches it at once,
    /// not after every work item already queued (poll handlers release them by the hundred after each group
    /// commit). It blocks on the signal and on the log's reads, which are synchronous on SQLite.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                ended.TrySetResult();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                ended.TrySetResult(); // stopped before the first read
            }
            catch (Exception e)
            {
                ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "GridQueue push hub",
        };
        thread.Start();
        return ended.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        Interlocked.Exchange(ref _delivered, store.EventLastSequenceAsync(stoppingToken).GetAwaiter().GetResult());

        // Listening starts before the first read, so nothing committed after that read goes unannounced.
        var otherNodes = feed?.SubscribeAsync(Announce, stoppingToken).GetAwaiter().GetResult();
        _ready.TrySetResult();
        var catchUp = FirstCatchUpDelay;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var before = DeliveredSequence;
                try
                {
                    DeliverNew(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database is briefly unavailable: listeners keep their place, the next round retries.
                    LogReadFailed(e);
                }

                var wait = _fallbackPoll;
                if (DeliveredSequence > before)
                {
                    catchUp = FirstCatchUpDelay;
                }

                if (Interlocked.Read(ref _announced) > DeliveredSequence)
                {
                    // Committed but not listed yet: look again soon, and less often the longer nothing comes.
                    wait = catchUp < _fallbackPoll ? catchUp : _fallbackPoll;
                    catchUp = catchUp * 2 < MaxCatchUpDelay ? catchUp * 2 : MaxCatchUpDelay; // capped: doubling alone would overflow
                }

                signal.Wait(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            otherNodes?.DisposeAsync().AsTask().GetAwaiter().GetResult();

            // Closing may run a listener's loop to its end, which unsubscribes: close a copy, outside the lock.
            TaskEventSubscription[] open;
            lock (_gate)
            {
                open = [.. _byUser.Values.SelectMany(s => s)];
            }

            foreach (var subscription in open)
            {
                subscription.Close();
            }
        }
    }

    private void Announce(long committed)
    {
        var seen = Interlocked.Read(ref _announced);
        while (committed > seen)
        {
            var before = Interlocked.CompareExchange(ref _announced, committed, seen);
            if (before == seen)
            {
                break;
            }

            seen = before;
        }

        signal.Raise();
    }

    private void DeliverNew(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = store.EventListAfterAsync(DeliveredSequence, null, null, Batch, cancellationToken).GetAwaiter().GetResult();
            if (batch.Count == 0)
            {
                return;
            }

            // Who gets what is settled under the lock together with the delivered sequence, so a listener that
            // subscribes meanwhile either is in the list or starts after this batch (SubscribeAsync's promise). The
            // hand-out itself runs outside it: a listener's loop runs inline (TaskEventSubscription) and may end
            // and unsubscribe.
            lock (_gate)
            {
                foreach (var taskEvent in batch)
                {
                    if (_byUser.TryGetValue(taskEvent.UserId, out var listeners))
                    {
                        foreach (var listener in listeners)
                        {
                            _handOut.Add((listener, taskEvent));
                        }
                    }
                }

                Interlocked.Exchange(ref _delivered, batch[^1].Sequence);
            }

            try
            {
                foreach (var (listener, taskEvent) in _handOut)
                {
                    listener.Deliver(taskEvent);
                }
            }
            finally
            {
                _handOut.Clear();
            }

            if (!Batch.IsFull(batch))
            {
                return;
            }
        }
    }

    private void Unsubscribe(TaskEventSubscription subscription)
    {
        lock (_gate)
        {
            if (_byUser.TryGetValue(subscription.UserId, out var listeners) && listeners.Remove(subscription) && listeners.Count == 0)
            {
                _byUser.Remove(subscription.UserId); // users who left cost nothing
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading new task events failed; retrying.")]
    private partial void LogReadFailed(Exception exception);
}
