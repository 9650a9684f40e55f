using GridQueue.Tasks.Events;
using GridQueue.Tasks.Storage;
using Xunit;

namespace GridQueue.Tasks.Tests.Events;

/// <summary>A live listener's buffer is bounded in payload bytes as well as in events.</summary>
public sealed class TaskEventSubscriptionTests
{
    private static TaskEvent Event(long sequence, int payloadChars) =>
        new(sequence, "tsk_1", "alice", DateTimeOffset.UnixEpoch, new string('x', payloadChars));

    [Fact]
    public async Task Deliver_PastTheByteBound_DropsTheListener()
    {
        using var subscription = new TaskEventSubscription("alice", null, capacity: 100, maxBytes: 1000, _ => { });

        subscription.Deliver(Event(1, 600));
        subscription.Deliver(Event(2, 600));

        Assert.True(subscription.Events.TryRead(out var first));
        Assert.Equal(1, first.Sequence);
        Assert.False(subscription.Events.TryRead(out _));
        await Assert.ThrowsAsync<SubscriberTooSlowException>(() => subscription.Events.Completion);
    }

    [Fact]
    public void Deliver_ReadingFreesTheBytes_SoAListenerThatKeepsUpIsNeverDropped()
    {
        using var subscription = new TaskEventSubscription("alice", null, capacity: 100, maxBytes: 1000, _ => { });

        for (var i = 1; i <= 50; i++)
        {
            subscription.Deliver(Event(i, 600));
            Assert.True(subscription.Events.TryRead(out var e), $"event {i} was not delivered");
            Assert.Equal(i, e.Sequence);
        }

        Assert.Equal(0, subscription.BufferedBytes);
        Assert.False(subscription.Events.Completion.IsCompleted);
    }

    [Fact]
    public void Deliver_OneEventOverTheBound_IsStillTaken()
    {
        using var subscription = new TaskEventSubscription("alice", null, capacity: 100, maxBytes: 1000, _ => { });

        subscription.Deliver(Event(1, 5000));

        Assert.True(subscription.Events.TryRead(out var e));
        Assert.Equal(5000, e.Payload.Length);
        Assert.False(subscription.Events.Completion.IsCompleted);
    }

    [Fact]
    public async Task Deliver_ToAWaitingReader_RunsItsLoopOnTheDeliveringThread()
    {
        // The push latency's tail on a busy server was the reader's turn in the thread pool's queue: a waiting
        // reader continues inside Deliver instead.
        using var subscription = new TaskEventSubscription("alice", null, capacity: 100, maxBytes: 1000, _ => { });
        var readOn = -1;
        var reader = ReadOneAsync();
        Assert.False(reader.IsCompleted);

        subscription.Deliver(Event(1, 10));

        Assert.True(reader.IsCompleted, "the reader's loop had not run when Deliver returned");
        Assert.Equal(1, await reader);
        Assert.Equal(Environment.CurrentManagedThreadId, readOn);
        Assert.Equal(0, subscription.BufferedBytes);

        async Task<long> ReadOneAsync()
        {
            Assert.True(await subscription.Events.WaitToReadAsync());
            readOn = Environment.CurrentManagedThreadId;
            Assert.True(subscription.Events.TryRead(out var e));
            return e.Sequence;
        }
    }

    [Fact]
    public void EventPageSize_IsFull_WhenCutByCountOrByBytes()
    {
        var size = new EventPageSize(Limit: 3, MaxBytes: 1000);

        Assert.False(size.IsFull([Event(1, 400), Event(2, 400)]));
        Assert.True(size.IsFull([Event(1, 400), Event(2, 400), Event(3, 1)]));
        Assert.True(size.IsFull([Event(1, 1001)]));
        Assert.False(size.IsFull([Event(1, 1000)]));
    }
}
