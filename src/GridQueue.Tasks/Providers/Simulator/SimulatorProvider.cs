using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Providers.Simulator;

/// <summary>
/// The default provider: an in-process stand-in for an upstream, for demos and a first run with nothing configured.
/// A simulated video's whole life is encoded in its upstream id (start time, duration, whether it fails), so its
/// status needs no memory and survives a server restart. It honours idempotency keys (within this process's life)
/// and can cancel. Every finished video is the same short clip: <see cref="SimulatorProviderOptions.VideoUrl"/>, else
/// the one the host serves (<paramref name="videoLocation"/>).
/// </summary>
public sealed class SimulatorProvider(IOptions<SimulatorProviderOptions> options, TimeProvider time, ISimulatorVideoLocation? videoLocation = null) : IVideoProvider
{
    public const string ProviderName = "simulator";
    private const int KeptKeys = 100_000;
    private readonly SimulatorProviderOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, string> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _cancelled = new(StringComparer.Ordinal);

    public string Name => ProviderName;

    public bool AcceptsIdempotencyKey => true;

    public bool CanCancel => true;

    public Task<ProviderSubmitResult> SubmitAsync(ProviderSubmitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (_byIdempotencyKey.Count > KeptKeys)
        {
            _byIdempotencyKey.Clear(); // a simulator's memory: bounded, not durable
            _cancelled.Clear();
        }

        var id = _byIdempotencyKey.GetOrAdd(request.IdempotencyKey, key =>
        {
            var fails = RandomNumberGenerator.GetInt32(1_000_000) < _options.FailureRate * 1_000_000;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"sim_{time.GetUtcNow().ToUnixTimeMilliseconds()}_{(long)_options.Duration.TotalMilliseconds}_{(fails ? 1 : 0)}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12]}");
        });
        return Task.FromResult(new ProviderSubmitResult(id));
    }

    public Task<ProviderStatus> GetStatusAsync(ProviderCallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var parts = request.UpstreamTaskId.Split('_');
        if (parts.Length != 5 || parts[0] != "sim"
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startMs)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var durationMs))
        {
            throw new ProviderException(ProviderErrorKind.Permanent, $"The simulator has no task '{request.UpstreamTaskId}'.", 404);
        }

        if (_cancelled.ContainsKey(request.UpstreamTaskId))
        {
            return Task.FromResult(new ProviderStatus(UpstreamState.Failed, 0, null, "Cancelled."));
        }

        var fails = parts[3] == "1";
        var elapsed = time.GetUtcNow().ToUnixTimeMilliseconds() - startMs;
        var fraction = durationMs <= 0 ? 1.0 : Math.Clamp((double)elapsed / durationMs, 0, 1);
        ProviderStatus status = (fraction, fails) switch
        {
            ( >= 1.0, false) => new(UpstreamState.Succeeded, 100, VideoUrl(), null),
            ( >= 0.9, true) => new(UpstreamState.Failed, 90, null, _options.FailReason),
            ( < 0.1, _) => new(UpstreamState.Pending, 0, null, null),
            _ => new(UpstreamState.Running, (int)(fraction * 100), null, null),
        };
        return Task.FromResult(status);
    }

    private string VideoUrl()
    {
        if (_options.VideoUrl is { Length: > 0 } configured)
        {
            return configured;
        }

        if (videoLocation is null)
        {
            throw new ProviderException(
                ProviderErrorKind.Permanent,
                "The simulator has no video to point at: set Providers:Simulator:VideoUrl or let the host serve its sample clip.");
        }

        // Only in the moments before the host listens (a task left running by the previous run, polled at start-up):
        // the poll is simply tried again a little later.
        return videoLocation.VideoUrl
            ?? throw new ProviderException(ProviderErrorKind.Transient, "The server's own address, where the simulated video is served, is not known yet.");
    }

    public Task CancelAsync(ProviderCallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _cancelled.TryAdd(request.UpstreamTaskId, 0);
        return Task.CompletedTask;
    }
}
