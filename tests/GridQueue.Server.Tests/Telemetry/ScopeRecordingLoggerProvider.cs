using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GridQueue.Server.Tests.Telemetry;

/// <summary>One log entry with the values of the scopes it was written in.</summary>
public sealed record ScopedEntry(string Category, string Message, IReadOnlyDictionary<string, object?> Scope);

/// <summary>Records every entry with its scopes, as a logger that shows scopes (JSON console, OpenTelemetry logs) sees them.</summary>
public sealed class ScopeRecordingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<ScopedEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ScopeRecordingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            provider._scopes.ForEachScope(
                (value, values) =>
                {
                    if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, item) in pairs)
                        {
                            values[key] = item;
                        }
                    }
                },
                scope);
            provider.Entries.Enqueue(new ScopedEntry(category, formatter(state, exception), scope));
        }
    }
}
