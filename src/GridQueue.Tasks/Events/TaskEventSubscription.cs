using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace GridQueue.Tasks.Events;

/// <summary>
/// One live listener (an SSE connection): the hub writes the user's new events into a buffer bounded in events and
/// in payload bytes. A listener that falls too far behind is dropped (its reader completes with
/// <see cref="SubscriberTooSlowException"/>); the client reconnects with its last event id and catches up from the
/// event log, so nothing is lost.
/// <para>
/// The buffer runs its reader's continuation on the hub's thread when the reader is waiting: the SSE loop writes the
/// event to its response right away instead of waiting behind every other queued work item of the thread pool, which
/// on a busy server (10,000 tasks polling) was most of the push latency's tail. The reader's work per event is
/// copying the payload into the response; what may wait (a slow client's socket) is awaited and hands the thread back.
/// The hub calls <see cref="Deliver"/> outside its own lock for this reason.
/// </para>
/// </summary>
public sealed class TaskEventSubscription : IDisposable
{
    private readonly Channel<TaskEvent> _channel;
    private readonly Action<TaskEventSubscription> _unsubscribe;
    private readonly long _maxBytes;
    private long _bytes;

    internal TaskEventSubscription(string userId, string? taskId, int capacity, long maxBytes, Action<TaskEventSubscription> unsubscribe)
    {
        UserId = userId;
        TaskId = taskId;
        _unsubscribe = unsubscribe;
        _maxBytes = maxBytes;
        _channel = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = true,
        });
        Events = new CountingReader(this);
    }

    public string UserId { get; }

    public string? TaskId { get; }

    /// <summary>The live events, in sequence order.</summary>
    public ChannelReader<TaskEvent> Events { get; }

    /// <summary>Payload bytes waiting to be read (counted as characters, see Storage.EventPageSize).</summary>
    public long BufferedBytes => Interlocked.Read(ref _bytes);

    internal void Deliver(TaskEvent taskEvent)
    {
        if (TaskId is not null && taskEvent.TaskId != TaskId)
        {
            return;
        }

        // One event alone is always taken (an empty buffer never drops), however large it is.
        var size = taskEvent.Payload.Length;
        var buffered = Interlocked.Add(ref _bytes, size);
        if ((buffered > _maxBytes && buffered != size) || !_channel.Writer.TryWrite(taskEvent))
        {
            Interlocked.Add(ref _bytes, -size);
            _channel.Writer.TryComplete(new SubscriberTooSlowException());
        }
    }

    internal void Close(Exception? error = null) => _channel.Writer.TryComplete(error);

    public void Dispose()
    {
        _unsubscribe(this);
        _channel.Writer.TryComplete();
    }

    /// <summary>The channel's reader, counting the bytes of what is read out of the buffer.</summary>
    private sealed class CountingReader(TaskEventSubscription owner) : ChannelReader<TaskEvent>
    {
        private ChannelReader<TaskEvent> Inner => owner._channel.Reader;

        public override Task Completion => Inner.Completion;

        public override bool CanCount => Inner.CanCount;

        public override int Count => Inner.Count;

        public override bool CanPeek => Inner.CanPeek;

        public override bool TryRead([MaybeNullWhen(false)] out TaskEvent item)
        {
            if (!Inner.TryRead(out item))
            {
                return false;
            }

            Interlocked.Add(ref owner._bytes, -item.Payload.Length);
            return true;
        }

        public override bool TryPeek([MaybeNullWhen(false)] out TaskEvent item) => Inner.TryPeek(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            Inner.WaitToReadAsync(cancellationToken);
    }
}

/// <summary>A listener did not keep up; it should reconnect with its last event id.</summary>
public sealed class SubscriberTooSlowException : Exception
{
    public SubscriberTooSlowException()
        : base("The listener fell too far behind the live events and was dropped; reconnect with the last event id.")
    {
    }

    public SubscriberTooSlowException(string message)
        : base(message)
    {
    }

    public SubscriberTooSlowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
