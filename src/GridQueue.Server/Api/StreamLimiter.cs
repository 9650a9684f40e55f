using GridQueue.Server.Hosting;
using Microsoft.Extensions.Options;

namespace GridQueue.Server.Api;

/// <summary>
/// Counts the event streams each user holds open in this process and refuses one past Api__MaxStreamsPerUser.
/// A place is taken before the stream subscribes and given back when the stream's handler ends, however it ends
/// (client gone, server stopping, stream dropped for falling behind, an error).
/// </summary>
public sealed class StreamLimiter(IOptions<ApiOptions> options)
{
    /// <summary>What a refused client is told to wait: long enough not to hammer, short enough to notice a freed place.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly int _cap = options.Value.MaxStreamsPerUser;
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The cap per user; 0 means none.</summary>
    public int Cap => _cap;

    /// <summary>Takes a place for <paramref name="userId"/>; null when the user is at the cap. Dispose the place to give it back.</summary>
    public IDisposable? TryAcquire(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (_cap == 0)
        {
            return NoPlace.Instance;
        }

        lock (_lock)
        {
            var open = _open.GetValueOrDefault(userId);
            if (open >= _cap)
            {
                return null;
            }

            _open[userId] = open + 1;
        }

        return new Place(this, userId);
    }

    private void Release(string userId)
    {
        lock (_lock)
        {
            // The entry goes when its count reaches 0, so users who left cost nothing.
            if (_open.TryGetValue(userId, out var open) && open > 1)
            {
                _open[userId] = open - 1;
            }
            else
            {
                _open.Remove(userId);
            }
        }
    }

    private sealed class Place(StreamLimiter limiter, string userId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(userId);
            }
        }
    }

    private sealed class NoPlace : IDisposable
    {
        public static readonly NoPlace Instance = new();

        public void Dispose()
        {
        }
    }
}
