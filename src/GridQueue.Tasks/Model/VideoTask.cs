namespace GridQueue.Tasks.Model;

/// <summary>
/// One video generation task: the row the server keeps. The public fields are the contract's task object
/// (docs/ARCHITECTURE.md); the rest is bookkeeping that is never sent to clients.
/// </summary>
public sealed record VideoTask
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required string Provider { get; init; }
    public required string Model { get; init; }
    public required string Prompt { get; init; }
    public required string AspectRatio { get; init; }
    public required int Duration { get; init; }
    public required bool Hd { get; init; }

    /// <summary>The reference images; empty when <see cref="ImagesLoaded"/> is false (they were not read).</summary>
    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>
    /// False for a task read without its images: handlers and write transactions read tasks without them, as the
    /// images (up to 8 MiB) never change and only the submit needs them. Such a task may be changed and logged
    /// (<see cref="TaskJson.SerializeForLog"/>) but not sent to a client (<see cref="TaskJson.Write"/> refuses) nor
    /// upstream; <see cref="WithImages"/> puts them back.
    /// </summary>
    public bool ImagesLoaded { get; init; } = true;

    public required VideoTaskStatus Status { get; init; }
    public int Progress { get; init; }
    public string? VideoUrl { get; init; }
    public string? ErrorMessage { get; init; }
    public int Attempt { get; init; } = 1;
    public string? UpstreamTaskId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Where the task is delivered (signed) when it ends; null for none of its own. Never changes.</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>Where the current attempt's submit stands.</summary>
    public SubmitState SubmitState { get; init; }

    /// <summary>When the current attempt started running (the poll deadline counts from here).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The user's own upstream key, encrypted with Data Protection; null once the task ends.</summary>
    public string? ProtectedApiKey { get; init; }

    /// <summary>True when the task was created or last retried with the user's own key (a retry must bring it again).</summary>
    public bool UsesOwnApiKey { get; init; }

    /// <summary>The engine job driving the task now (submit, then poll); cancelled with the task.</summary>
    public long? JobId { get; init; }

    /// <summary>Incremented by every change; updates are compare-and-set on it. Also the ETag.</summary>
    public long Version { get; init; }

    /// <summary>This task with its images put back (read apart, see <see cref="ImagesLoaded"/>).</summary>
    public VideoTask WithImages(IReadOnlyList<string> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return this with { Images = images, ImagesLoaded = true };
    }

    /// <summary>The images, for a caller that sends them on; throws when the task was read without them.</summary>
    public IReadOnlyList<string> RequireImages() => ImagesLoaded
        ? Images
        : throw new InvalidOperationException($"Task {Id} was read without its images; read it with them before sending it on.");
}
