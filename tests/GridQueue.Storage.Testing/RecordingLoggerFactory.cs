using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GridQueue.Storage.Testing;

/// <summary>Keeps every warning and error the engines log, so a test can show them and fail on unexpected errors.</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public IEnumerable<string> Errors => Entries
        .Where(e => e.Level >= LogLevel.Error)
        .Select(e => $"{e.Message} {e.Exception}");

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Entries.Enqueue((logLevel, formatter(state, exception), exception));
            }
        }
    }
}
