namespace GridQueue.Simulator;

/// <summary>The simulator's log messages, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Simulator listening on {Addresses}; API key {ApiKey}; each task takes {Duration}; failure rate {FailureRate}")]
    public static partial void Started(ILogger logger, string addresses, string apiKey, TimeSpan duration, double failureRate);
}
