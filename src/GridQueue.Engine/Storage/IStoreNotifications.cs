namespace GridQueue.Engine.Storage;

/// <summary>
/// Wake-ups that other nodes sharing the database send when they commit, so a node looks at the tables at once
/// instead of at its next poll. A backend offers it only when it can (PostgreSQL's LISTEN/NOTIFY); without it a node
/// sees other nodes' work by polling, and its own through in-process signals. A notification only says "look now":
/// the tables stay the truth, so a lost or duplicated one costs a poll's delay or an empty look, never a wrong result.
/// </summary>
public interface IStoreNotifications
{
    /// <summary>
    /// Calls <paramref name="onNotified"/> with the payload of each notification on <paramref name="channel"/>,
    /// and with null when notifications may have been missed (the listening connection was lost and is back): the
    /// subscriber should then look at everything. The callback must be quick and not throw. Dispose to stop.
    /// </summary>
    /// <exception cref="ArgumentException">The backend does not listen on <paramref name="channel"/>.</exception>
    IDisposable Subscribe(string channel, Action<string?> onNotified);
}

/// <summary>The notification channels of the engine.</summary>
public static class JobChannels
{
    /// <summary>Jobs were inserted; the payload is their queue.</summary>
    public const string Inserted = "gq_jobs";
}
