namespace GridQueue.Tasks.Providers;

/// <summary>
/// One upstream video service. Implementations are stateless between calls (everything a call needs is in its
/// request), so any node may poll a task another node submitted.
/// </summary>
public interface IVideoProvider
{
    /// <summary>The name clients use in the "provider" field ("simulator", "t8star").</summary>
    string Name { get; }

    /// <summary>
    /// True when a repeated submit with the same idempotency key returns the first submission's task instead of
    /// making (and billing) a second video. Only such providers are resubmitted when a submit's outcome is unknown.
    /// </summary>
    bool AcceptsIdempotencyKey { get; }

    /// <summary>True when <see cref="CancelAsync"/> stops the upstream job.</summary>
    bool CanCancel { get; }

    /// <summary>Starts a generation upstream.</summary>
    /// <exception cref="ProviderException">The upstream refused or could not be reached; its Kind says what may follow.</exception>
    Task<ProviderSubmitResult> SubmitAsync(ProviderSubmitRequest request, CancellationToken cancellationToken);

    /// <summary>Asks the upstream how a generation is going.</summary>
    /// <exception cref="ProviderException">Transient or permanent failure (never OutcomeUnknown).</exception>
    Task<ProviderStatus> GetStatusAsync(ProviderCallRequest request, CancellationToken cancellationToken);

    /// <summary>Stops an upstream generation. Only called when <see cref="CanCancel"/> is true.</summary>
    /// <exception cref="ProviderException">Transient or permanent failure.</exception>
    Task CancelAsync(ProviderCallRequest request, CancellationToken cancellationToken);
}
