namespace GridQueue.Tasks.Providers;

/// <summary>What the user asked for, as a provider needs it.</summary>
/// <param name="Model">Upstream model name, e.g. "sora-2".</param>
/// <param name="Prompt">The prompt, already trimmed.</param>
/// <param name="AspectRatio">"16:9", "9:16" or "1:1".</param>
/// <param name="Duration">Clip length in seconds (1-60).</param>
/// <param name="Hd">High definition.</param>
/// <param name="Images">http(s) URLs or data:image URIs; empty for text-to-video.</param>
public sealed record VideoSpec(string Model, string Prompt, string AspectRatio, int Duration, bool Hd, IReadOnlyList<string> Images);

/// <summary>A submit.</summary>
/// <param name="Video">What to generate.</param>
/// <param name="IdempotencyKey">Stable across re-runs of the same task attempt; sent only to providers that accept one.</param>
/// <param name="ApiKey">The user's own upstream key, or null for the server's configured key. Never log it.</param>
/// <param name="CallbackUrl">
/// Where the upstream may call when the task ends (t8star's notify_hook), or null for none. It carries a token:
/// never log it.
/// </param>
public sealed record ProviderSubmitRequest(VideoSpec Video, string IdempotencyKey, string? ApiKey, Uri? CallbackUrl = null)
{
    /// <summary>Keeps the key and the callback token out of logs and exception messages.</summary>
    public override string ToString() => $"ProviderSubmitRequest {{ Model = {Video.Model}, IdempotencyKey = {IdempotencyKey}, ApiKey = {(ApiKey is null ? "server" : "user")} }}";
}

/// <summary>A status query or cancel of one upstream task.</summary>
/// <param name="UpstreamTaskId">The provider's own task id, as returned by submit.</param>
/// <param name="ApiKey">The user's own upstream key, or null for the server's configured key. Never log it.</param>
public sealed record ProviderCallRequest(string UpstreamTaskId, string? ApiKey)
{
    /// <summary>Keeps the key out of logs and exception messages.</summary>
    public override string ToString() => $"ProviderCallRequest {{ UpstreamTaskId = {UpstreamTaskId}, ApiKey = {(ApiKey is null ? "server" : "user")} }}";
}

/// <summary>The upstream accepted the submit.</summary>
public sealed record ProviderSubmitResult(string UpstreamTaskId);

/// <summary>Where an upstream task stands.</summary>
public enum UpstreamState
{
    /// <summary>Accepted, not started (NOT_START, SUBMITTED, QUEUED, UNKNOWN, anything not listed).</summary>
    Pending,

    /// <summary>Generating (IN_PROGRESS).</summary>
    Running,

    /// <summary>Done, with a video URL.</summary>
    Succeeded,

    /// <summary>Done without a video; <see cref="ProviderStatus.FailReason"/> says why.</summary>
    Failed,
}

/// <summary>One status answer, already normalised.</summary>
/// <param name="State">Normalised state. A success without a video URL is reported as Failed.</param>
/// <param name="Progress">0-100.</param>
/// <param name="VideoUrl">Set exactly when State is Succeeded.</param>
/// <param name="FailReason">Set when State is Failed: the upstream's reason, or a description of what was wrong.</param>
public sealed record ProviderStatus(UpstreamState State, int Progress, string? VideoUrl, string? FailReason);
