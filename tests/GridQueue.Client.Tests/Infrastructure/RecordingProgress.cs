namespace GridQueue.Client.Tests.Infrastructure;

/// <summary>
/// An IProgress that records each report synchronously, in the order it was made (Progress&lt;T&gt; posts reports
/// to the thread pool, where they may arrive late and out of order).
/// </summary>
public sealed class RecordingProgress<T> : IProgress<T>
{
    private readonly Lock _gate = new();
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(T value)
    {
        lock (_gate)
        {
            _reports.Add(value);
        }
    }
}
