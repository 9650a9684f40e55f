namespace GridQueue.Tasks.Storage;

/// <summary>How hard a task write is synced to disk (both survive a process crash).</summary>
public enum WriteDurability
{
    /// <summary>Synced before the commit returns: survives a power cut.</summary>
    Durable,

    /// <summary>
    /// Synced by the next durable commit (or checkpoint). A power cut may undo the last few such commits, together
    /// with the job state written around them, so the job runs again and derives the same change from upstream.
    /// </summary>
    Relaxed,
}
