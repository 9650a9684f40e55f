using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GridQueue.Server.Testing;

/// <summary>
/// Records the server's Error and Critical log entries, so a test can assert that bad input never made the
/// server log an unexpected failure (the server must answer a client's mistake with a 4xx, not a crash).
/// </summary>
public sealed class FailingErrorLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Every entry at Debug level or above, to check what the server writes to its logs (no secrets).</summary>
    public ConcurrentQueue<string> All { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Errors, All);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> errors, ConcurrentQueue<string> all) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = $"{category}: {formatter(state, exception)} {exception}";
            all.Enqueue(entry);
            if (logLevel >= LogLevel.Error)
            {
                errors.Enqueue(entry);
            }
        }
    }
}
