using GridQueue.Tasks.Providers;

namespace GridQueue.Tasks.Telemetry;

/// <summary>
/// A provider as the catalog hands it out: every call goes to the real one, and each failure (and each video the
/// upstream reports failed) is counted in <see cref="TaskMetrics"/>. Counting at this one boundary covers every
/// handler and every provider, present and future.
/// </summary>
internal sealed class MeasuredProvider(IVideoProvider inner, TaskMetrics metrics) : IVideoProvider
{
    public const string Submit = "submit";
    public const string Poll = "poll";
    public const string Cancel = "cancel";

    public string Name => inner.Name;

    public bool AcceptsIdempotencyKey => inner.AcceptsIdempotencyKey;

    public bool CanCancel => inner.CanCancel;

    public async Task<ProviderSubmitResult> SubmitAsync(ProviderSubmitRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            metrics.UpstreamError(Name, Submit, UpstreamErrorKinds.Of(e));
            throw;
        }
    }

    public async Task<ProviderStatus> GetStatusAsync(ProviderCallRequest request, CancellationToken cancellationToken)
    {
        ProviderStatus status;
        try
        {
            status = await inner.GetStatusAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            metrics.UpstreamError(Name, Poll, UpstreamErrorKinds.Of(e));
            throw;
        }

        if (status.State == UpstreamState.Failed) // a success without a video comes as Failed too
        {
            metrics.UpstreamError(Name, Poll, UpstreamErrorKinds.VideoFailed);
        }

        return status;
    }

    public async Task CancelAsync(ProviderCallRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await inner.CancelAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            metrics.UpstreamError(Name, Cancel, UpstreamErrorKinds.Of(e));
            throw;
        }
    }
}
