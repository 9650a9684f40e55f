using System.Threading.Channels;

namespace GridQueue.Tasks.Events;

/// <summary>
/// One live listener (an SSE connection): the hub writes the user's new events into a bounded buffer. A listener
/// that falls too far behind is dropped (its reader completes with <see cref="SubscriberTooSlowException"/>); the
/// client reconnects with its last event id and catches up from the event log, so nothing is lost.
/// </summary>
public sealed class TaskEventSubscription : IDisposable
{
    private readonly Channel<TaskEvent> _channel;
    private readonly Action<TaskEventSubscription> _unsubscribe;

    internal TaskEventSubscription(string userId, string? taskId, int capacity, Action<TaskEventSubscription> unsubscribe)
    {
        UserId = userId;
        TaskId = taskId;
        _unsubscribe = unsubscribe;
        _channel = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string UserId { get; }

    public string? TaskId { get; }

    /// <summary>The live events, in sequence order.</summary>
    public ChannelReader<TaskEvent> Events => _channel.Reader;

    internal void Deliver(TaskEvent taskEvent)
    {
        if (TaskId is not null && taskEvent.TaskId != TaskId)
        {
            return;
        }

        if (!_channel.Writer.TryWrite(taskEvent))
        {
            _channel.Writer.TryComplete(new SubscriberTooSlowException());
        }
    }

    internal void Close(Exception? error = null) => _channel.Writer.TryComplete(error);

    public void Dispose()
    {
        _unsubscribe(this);
        _channel.Writer.TryComplete();
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
